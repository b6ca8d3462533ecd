"""Grades each student of a roster in a child ``docker-grade check`` process, concurrently.

A child process per student gives each its own engine connection, its own pytest run (pytest
is not thread-safe) and a time limit that can be enforced: past it the child is asked to stop
(SIGTERM, so that it removes its probe containers), then killed.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.batch.models import RowStatus, StudentRow
from grader.batch.roster import RosterEntry
from grader.errors import ExitCode
from grader.report.models import Report
from grader.spec.folders import ENGINE_PREFIX

STOP_GRACE_S = 15.0  # how long a timed-out child has to remove its probes


@dataclass(frozen=True)
class BatchOptions:
    exercises: tuple[str, ...]
    settings: tuple[str, ...]
    lang: str
    timeout_s: float
    probe_image: str
    exercise_packs: tuple[Path, ...] = ()


def grade_roster(
    entries: list[RosterEntry],
    options: BatchOptions,
    *,
    jobs: int,
    on_done: Callable[[StudentRow], None],
) -> list[StudentRow]:
    """Every entry graded (or found ungradable), in roster order; ``on_done`` is called as each
    one finishes."""
    rows: dict[str, StudentRow] = {}
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="student") as pool:
        futures = {pool.submit(grade_student, entry, options): entry for entry in entries}
        for future in as_completed(futures):
            row = future.result()
            rows[row.student_id] = row
            on_done(row)
    return [rows[entry.student_id] for entry in entries]


def grade_student(entry: RosterEntry, options: BatchOptions) -> StudentRow:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="docker-grade-") as scratch:
        report_path = Path(scratch) / "report.json"
        code, error = _run_child(
            _command(entry, options, report_path),
            cwd=Path(scratch),
            timeout_s=options.timeout_s,
        )
        row = dict(
            student_id=entry.student_id,
            name=entry.name,
            docker_host=entry.docker_host,
            duration_s=round(time.monotonic() - started, 3),
        )
        if code in (ExitCode.ALL_PASSED, ExitCode.NOT_ALL_PASSED) and report_path.is_file():
            report = Report.model_validate(json.loads(report_path.read_text(encoding="utf-8")))
            return StudentRow(**row, status=RowStatus.GRADED, report=report)
    return StudentRow(**row, status=RowStatus.UNGRADABLE, reason=error)


def _command(entry: RosterEntry, options: BatchOptions, report_path: Path) -> list[str]:
    # -P (-I before 3.11): the student's folder, our cwd, must not shadow our modules.
    isolation = "-P" if sys.version_info >= (3, 11) else "-I"
    command = [
        sys.executable,
        isolation,
        "-m",
        "grader",
        "check",
        *options.exercises,
        "--format",
        "json",
        "-o",
        str(report_path),
        "--student",
        entry.student_id,
        "--lang",
        options.lang,
        "--docker-host",
        entry.docker_host,
        "--probe-image",
        options.probe_image,
    ]
    command += [arg for pack in options.exercise_packs for arg in ("--exercises", str(pack))]
    # the class's settings first: a student's own value for the same param wins
    settings = (*options.settings, *entry.settings)
    command += [arg for setting in settings for arg in ("--set", setting)]
    if entry.folder:  # the child runs elsewhere: a local folder is given whole
        on_engine = entry.folder.startswith(ENGINE_PREFIX)
        command += ["--folder", entry.folder if on_engine else str(Path(entry.folder).resolve())]
    if entry.tls_dir:
        command += ["--tls-dir", str(entry.tls_dir)]
    return command


def _run_child(command: list[str], *, cwd: Path, timeout_s: float) -> tuple[int | None, str]:
    """The child's exit code and its one-line reason (stderr), or None and why on a timeout."""
    child = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        _, stderr = child.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _stop(child)
        return None, f"grading took longer than {timeout_s:g} s"
    return child.returncode, _reason(stderr, child.returncode)


def _stop(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.communicate(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()


def _reason(stderr: str, code: int) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    text = lines[-1] if lines else f"docker-grade exited with code {code}"
    return text.removeprefix("docker-grade: ")
