"""Runs docker-grade as a user does: a separate process, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import os
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


def docker_grade(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120
) -> GraderRun:
    completed = subprocess.run(
        [EXECUTABLE, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    return GraderRun(completed.returncode, completed.stdout, completed.stderr)


def grade(
    *exercises: str,
    settings: tuple[str, ...] = (),
    lang: str = "en",
    cwd: Path | None = None,
    extra: tuple[str, ...] = (),
) -> GraderRun:
    """``docker-grade check EXERCISES --format json``; the run must produce a report."""
    sets = [arg for setting in settings for arg in ("--set", setting)]
    args = ("check", *exercises, "--format", "json", "--lang", lang, *sets, *extra)
    run = docker_grade(*args, cwd=cwd)
    assert run.exit_code in (0, 1), f"exit {run.exit_code}: {run.stderr}"
    if os.environ.get(SOAK_RUNS):
        _soak(args, cwd, run)
    return run


# scripts/soak_verdicts.py sets these: every state a test grades is graded N times in all, the
# first half in a row, the rest 4 at once, and the statuses of each run are recorded for it to
# compare.
SOAK_RUNS, SOAK_LOG = "DOCKER_GRADE_SOAK_RUNS", "DOCKER_GRADE_SOAK_LOG"


def _soak(args: tuple[str, ...], cwd: Path | None, first: GraderRun) -> None:
    from concurrent.futures import ThreadPoolExecutor

    runs = int(os.environ[SOAK_RUNS])
    in_a_row = runs // 2
    again = [docker_grade(*args, cwd=cwd) for _ in range(in_a_row - 1)]
    with ThreadPoolExecutor(4) as pool:
        again += list(pool.map(lambda _: docker_grade(*args, cwd=cwd), range(runs - in_a_row)))
    record = {
        "test": os.environ.get("PYTEST_CURRENT_TEST", "?"),
        "args": list(args),
        "runs": [_statuses(run) for run in (first, *again)],
        "messages": [_messages(run) for run in (first, *again)],
    }
    with open(os.environ[SOAK_LOG], "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


def _statuses(run: GraderRun) -> dict[str, str]:
    try:
        return {
            f"{e['id']}/{c['id']}": c["status"]
            for e in run.report["exercises"]
            for c in e["checks"]
        }
    except (ValueError, KeyError):
        return {"(run)": f"exit {run.exit_code}: {run.stderr.strip()[:200]}"}


def _messages(run: GraderRun) -> dict[str, str]:
    """What a check that did not pass said: how a disagreement is diagnosed."""
    try:
        return {
            f"{e['id']}/{c['id']}": c["message"][:300]
            for e in run.report["exercises"]
            for c in e["checks"]
            if c["status"] != "passed"
        }
    except (ValueError, KeyError):
        return {}


def all_passed(*check_ids: str) -> dict[str, str]:
    return {check_id: "passed" for check_id in check_ids}
