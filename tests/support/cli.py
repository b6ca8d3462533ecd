"""Runs docker-grade as a user does: a separate process, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class GraderRun:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)

    def statuses(self, exercise: str) -> dict[str, str]:
        """``{check id: status}`` for one exercise of a JSON report."""
        found = next(e for e in self.report["exercises"] if e["id"] == exercise)
        return {check["id"]: check["status"] for check in found["checks"]}

    def check(self, exercise: str, check_id: str) -> dict:
        found = next(e for e in self.report["exercises"] if e["id"] == exercise)
        return next(c for c in found["checks"] if c["id"] == check_id)


# The console script of the environment running the tests: the installed grader, not the
# source tree (``python -m`` would put the current folder first on sys.path).
EXECUTABLE = str(Path(sys.executable).with_name("docker-grade"))


def docker_grade(*args: str, cwd: Path | None = None, env: dict | None = None,
                 timeout: float = 120) -> GraderRun:
    completed = subprocess.run(
        [EXECUTABLE, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
    )
    return GraderRun(completed.returncode, completed.stdout, completed.stderr)


def grade(*exercises: str, settings: tuple[str, ...] = (), lang: str = "en",
          cwd: Path | None = None, extra: tuple[str, ...] = ()) -> GraderRun:
    """``docker-grade check EXERCISES --format json``; the run must produce a report."""
    sets = [arg for setting in settings for arg in ("--set", setting)]
    run = docker_grade("check", *exercises, "--format", "json", "--lang", lang, *sets, *extra,
                       cwd=cwd)
    assert run.exit_code in (0, 1), f"exit {run.exit_code}: {run.stderr}"
    return run


def all_passed(*check_ids: str) -> dict[str, str]:
    return {check_id: "passed" for check_id in check_ids}
