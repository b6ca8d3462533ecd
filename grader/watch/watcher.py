"""The watch loop: connect, grade everything once, then grade again what each trigger concerns.

Gradings run in the calling (main) thread, one at a time, each with its own snapshot and
probes (removed when it ends, Ctrl-C included); triggers that arrive meanwhile wait in the
queue and are handled together.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.engine.client import Engine
from grader.errors import EngineError
from grader.grading import grade
from grader.report.models import ExerciseResult, Report, Status
from grader.spec.catalog import Assignment
from grader.watch.triggers import EngineEvents, FolderChanges, Trigger

DEBOUNCE_S = 0.15  # a `docker run` is a burst of events: one grading for all of them
RETRY_S = 5.0  # an incomplete exercise is graded again this often (an app still starting)
RECONNECT_S = 1.0


@dataclass
class Update:
    """One grading's outcome, or news about the engine, as the views show it."""

    at: float
    triggers: list[Trigger]
    graded: list[ExerciseResult]  # the exercises graded this time, in course order
    results: dict[str, ExerciseResult]  # the latest result of every exercise graded so far
    focus: str | None  # the exercise the student touched last: the "Next" panel's
    completed: list[str] = field(default_factory=list)  # complete since the previous update
    engine_problem: str | None = None
    engine: str = ""  # the engine graded (its URL)
    report: Report | None = None  # the grading's report (what the class server is sent)


class Watcher:
    def __init__(
        self,
        *,
        connect: Callable[[], Engine],
        assignments: list[Assignment],
        lang: str,
        probe_image: str,
        folders: list[Path],
        grade_exercises: Callable = grade,
    ):
        self.connect, self.assignments, self.lang = connect, assignments, lang
        self.probe_image, self.folders = probe_image, folders
        self._grade = grade_exercises
        self.results: dict[str, ExerciseResult] = {}
        self.focus: str | None = None

    def run(self, view: Callable[[Update], None], stop: threading.Event) -> None:
        """Grades until ``stop`` is set (or Ctrl-C); every outcome goes to ``view``."""
        triggers: queue.Queue[Trigger] = queue.Queue()
        if any(a.spec.watch.files for a in self.assignments):
            FolderChanges(self.folders, triggers, stop).start()
        while not stop.is_set():
            engine = self._connected(view, stop)
            if engine is None:
                return
            kinds = {kind for a in self.assignments for kind in a.spec.watch.events}
            events = EngineEvents(engine.api, triggers, kinds)
            events.start()  # before the first grading: no change goes unseen
            try:
                self._grade_while_connected(engine, triggers, view, stop)
            finally:
                events.stop()
                engine.close()

    def _grade_while_connected(
        self,
        engine: Engine,
        triggers: queue.Queue,
        view: Callable[[Update], None],
        stop: threading.Event,
    ) -> None:
        pending = [Trigger("start", "connected", time.time())]
        while not stop.is_set():
            lost = [t for t in pending if t.kind == "engine-lost"]
            if lost:
                view(
                    self._update(
                        pending,
                        [],
                        engine_problem=(
                            f"the engine at {engine.host.docker_host} went away "
                            f"({lost[0].detail}); "
                            "waiting for it to come back"
                        ),
                    )
                )
                return
            targets = self._targets(pending)
            if targets:
                try:
                    report = self._grade(
                        engine=engine,
                        assignments=targets,
                        lang=self.lang,
                        probe_image=self.probe_image,
                    )
                except EngineError as error:
                    view(self._update(pending, [], engine_problem=error.message))
                    return
                view(
                    self._update(
                        pending, report.exercises, engine=engine.host.docker_host, report=report
                    )
                )
            pending = self._next_triggers(triggers, stop)

    def _connected(self, view: Callable[[Update], None], stop: threading.Event) -> Engine | None:
        """An engine that answers, trying again every RECONNECT_S (the view says why)."""
        said = None
        while not stop.is_set():
            try:
                return self.connect()
            except EngineError as error:
                if error.message != said:
                    view(self._update([], [], engine_problem=error.message))
                    said = error.message
                stop.wait(RECONNECT_S)
        return None

    def _next_triggers(self, triggers: queue.Queue, stop: threading.Event) -> list[Trigger]:
        """Waits for a trigger (or the retry time of an incomplete exercise), then gathers
        the burst that follows it."""
        deadline = time.monotonic() + RETRY_S if self._incomplete() else None
        while not stop.is_set():
            timeout = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
            if deadline is not None and timeout <= 0:
                return [Trigger("retry", f"every {RETRY_S:g} s until complete", time.time())]
            try:
                first = triggers.get(timeout=timeout)
                break
            except queue.Empty:
                continue
        else:
            return []
        burst, settle = [first], time.monotonic() + DEBOUNCE_S
        while (left := settle - time.monotonic()) > 0:
            try:
                burst.append(triggers.get(timeout=left))
            except queue.Empty:
                break
        return burst

    def _targets(self, pending: list[Trigger]) -> list[Assignment]:
        """The exercises the triggers concern, in course order."""

        def concerned(assignment: Assignment) -> bool:
            watch, spec_id = assignment.spec.watch, assignment.spec.id
            for trigger in pending:
                if trigger.kind == "start" or spec_id not in self.results:
                    return True
                if trigger.kind == "event" and trigger.objects & set(watch.events):
                    return True
                if trigger.kind == "file" and watch.files:
                    return True
                if trigger.kind == "retry" and not _complete(self.results[spec_id]):
                    return True
            return False

        return [a for a in self.assignments if concerned(a)]

    def _incomplete(self) -> bool:
        return any(not _complete(result) for result in self.results.values())

    def _update(
        self,
        triggers: list[Trigger],
        graded: list[ExerciseResult],
        engine_problem: str | None = None,
        engine: str = "",
        report: Report | None = None,
    ) -> Update:
        before = dict(self.results)
        self.results.update({result.id: result for result in graded})
        changed = [r.id for r in graded if _statuses(before.get(r.id)) != _statuses(r)]
        completed = [
            r.id for r in graded if _complete(r) and r.id in before and not _complete(before[r.id])
        ]
        if changed and any(t.kind in ("event", "file") for t in triggers):
            self.focus = changed[0]
        if self.focus is None or self.focus not in self.results:
            self.focus = next((r.id for r in self._in_order() if not _complete(r)), None)
        return Update(
            time.time(),
            triggers,
            graded,
            dict(self.results),
            self.focus,
            completed,
            engine_problem,
            engine,
            report,
        )

    def _in_order(self) -> list[ExerciseResult]:
        return [self.results[a.spec.id] for a in self.assignments if a.spec.id in self.results]


def _complete(result: ExerciseResult) -> bool:
    return all(check.status is Status.PASSED for check in result.checks)


def _statuses(result: ExerciseResult | None) -> tuple:
    return tuple(check.status for check in result.checks) if result else ()
