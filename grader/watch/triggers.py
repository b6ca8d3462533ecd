"""What makes the watcher grade again: the engine's events, changes in the student's folder.

Each source runs in a thread of its own and puts Triggers on the watcher's queue.

>>> Trigger.from_event({"Type": "network", "Action": "create", "timeNano": 2_500_000_000,
...                     "Actor": {"Attributes": {"name": "mybridge"}}}).detail
'network create mybridge'
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from grader.engine.container import OWN_LABELS

# Events that change what a check sees; exec_*, health_status, top, attach... do not.
_ACTIONS = {
    "container": {
        "create",
        "start",
        "restart",
        "die",
        "stop",
        "kill",
        "destroy",
        "rename",
        "pause",
        "unpause",
        "update",
        "oom",
    },
    "network": {"create", "destroy", "connect", "disconnect", "remove"},
    "image": {"tag", "untag", "delete", "import", "load", "pull", "save", "build"},
    "volume": {"create", "destroy", "prune"},
}


@dataclass(frozen=True)
class Trigger:
    """``kind``: event, file, retry, start or engine-lost; ``objects``: the engine object kinds
    it concerns (events), ``at``: when it happened (the engine's clock for events)."""

    kind: str
    detail: str
    at: float
    objects: frozenset[str] = frozenset()

    @classmethod
    def from_event(cls, event: dict) -> Trigger:
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        name = attributes.get("name") or (event.get("Actor") or {}).get("ID", "")[:12]
        kind = event.get("Type", "")
        return cls(
            "event",
            f"{kind} {event.get('Action', '')} {name}".strip(),
            event.get("timeNano", time.time_ns()) / 1e9,
            frozenset({kind}),
        )

    def as_json(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "at": self.at}


def is_relevant(event: dict) -> bool:
    """An event about an object an exercise can grade, and not about the grader's own probes
    (their create/start/die would start the next grading, forever)."""
    kind, action = event.get("Type"), (event.get("Action") or "").split(":")[0]
    if action not in _ACTIONS.get(kind, ()):
        return False
    attributes = (event.get("Actor") or {}).get("Attributes") or {}
    if kind == "network" and attributes.get("name") in _NO_BRIDGE:
        # a container joining the host's network or none (a probe's, whose event carries no
        # label): its own create and start events say what a student's did
        return False
    return not any(label in attributes for label in OWN_LABELS)


_NO_BRIDGE = ("host", "none")


class EngineEvents(threading.Thread):
    """Streams the engine's events into ``triggers``; when the stream ends (the engine went
    away), puts an engine-lost trigger and stops."""

    def __init__(self, api, triggers: queue.Queue, kinds: Iterable[str]):
        super().__init__(name="engine-events", daemon=True)
        self.api, self.triggers, self.kinds = api, triggers, sorted(set(kinds))
        self._stream = None

    def run(self) -> None:
        try:
            self._stream = self.api.events(decode=True, filters={"type": self.kinds})
            for event in self._stream:
                if is_relevant(event):
                    self.triggers.put(Trigger.from_event(event))
        except Exception as error:  # the connection broke: the watcher reconnects
            self.triggers.put(
                Trigger("engine-lost", f"{type(error).__name__}: {error}", time.time())
            )
            return
        self.triggers.put(Trigger("engine-lost", "the event stream ended", time.time()))

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:  # closing a broken stream: nothing more to do
                pass


class FolderChanges(threading.Thread):
    """Watches ``folders`` (recursively, with watchfiles: inotify, FSEvents, or polling where
    those cannot serve) and puts a file trigger per batch of changes."""

    def __init__(self, folders: list[Path], triggers: queue.Queue, stop_event: threading.Event):
        super().__init__(name="folder-changes", daemon=True)
        self.folders, self.triggers, self.stop_event = folders, triggers, stop_event

    def run(self) -> None:
        from watchfiles import watch  # imported here: only watch needs it

        existing = [folder for folder in self.folders if folder.is_dir()]
        if not existing:
            return
        for changes in watch(
            *existing,
            stop_event=self.stop_event,
            debounce=100,
            step=50,
            yield_on_timeout=False,
            raise_interrupt=False,
        ):
            names = sorted({Path(path).name for _, path in changes})
            self.triggers.put(
                Trigger(
                    "file",
                    "changed: " + ", ".join(names[:3]) + (" …" if len(names) > 3 else ""),
                    time.time(),
                )
            )
