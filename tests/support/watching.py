"""``docker-grade watch --format json-lines`` as a student runs it, read line by line.

>>> with WatchProcess("custom-bridge", cwd=tmp_path) as watch:        # doctest: +SKIP
...     watch.wait_for(lambda u: score(u, "custom-bridge") == 5)
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

from support.cli import EXECUTABLE


class WatchProcess:
    def __init__(self, *args: str, cwd: Path, env: dict | None = None):
        self.args, self.cwd, self.env = args, cwd, env
        self.updates: list[dict] = []
        self._arrived = threading.Condition()
        self.process: subprocess.Popen | None = None
        self.stderr = ""

    def __enter__(self) -> WatchProcess:
        self.process = subprocess.Popen(
            [EXECUTABLE, "watch", *self.args, "--format", "json-lines"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _read(self) -> None:
        for line in self.process.stdout:
            update = json.loads(line)
            update["received"] = time.time()
            with self._arrived:
                self.updates.append(update)
                self._arrived.notify_all()

    def wait_for(
        self, predicate: Callable[[dict], bool], timeout: float = 20.0, after: int = 0
    ) -> dict:
        """The first update from number ``after`` on that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = next((u for u in self.updates[after:] if predicate(u)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(
                        f"no such update within {timeout:g} s; got: "
                        f"{[summary(u) for u in self.updates[after:]]}; "
                        f"stderr: {self._stderr_if_ended()}"
                    )
                self._arrived.wait(left)

    def _stderr_if_ended(self) -> str:
        return self.process.stderr.read() if self.process.poll() is not None else ""

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, float]:
        """Sends ``signum``; the exit code and the seconds it took to end."""
        started = time.monotonic()
        self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        self.stderr = self.process.stderr.read()
        return code, time.monotonic() - started


def latest(update: dict, exercise: str) -> dict | None:
    return next((e for e in update["exercises"] if e["id"] == exercise), None)


def statuses(update: dict, exercise: str) -> dict[str, str] | None:
    result = latest(update, exercise)
    return {c["id"]: c["status"] for c in result["checks"]} if result else None


def summary(update: dict) -> str:
    triggers = "; ".join(t["detail"] for t in update["triggers"])
    scores = ", ".join(f"{e['id']} {e['score']:g}/{e['max_score']:g}" for e in update["exercises"])
    return f"[{triggers}] {scores} {update.get('engine_problem') or ''}".strip()
