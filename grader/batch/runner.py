"""Grades the students of a roster concurrently, in warm worker processes.

Each of ``jobs`` workers (grader.batch.worker) grades students one after another, each with
its own engine connection, its own pytest run (pytest is not thread-safe: one per process) and
its own report, exactly as a lone ``docker-grade check`` (the same command runs). A student
past the time limit is stopped alone: their worker is asked to stop (SIGTERM, so that it
removes its probe containers), then killed, and a fresh worker takes the next student.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.batch.models import RowStatus, StudentRow
from grader.batch.roster import RosterEntry
from grader.errors import ExitCode
from grader.report.models import Report
from grader.spec.folders import ENGINE_PREFIX
from grader.spec.packs import ENVIRONMENT_VARIABLE

STOP_GRACE_S = 15.0  # how long a stopped worker has to remove its probes


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
    todo: queue.Queue[RosterEntry] = queue.Queue()
    for entry in entries:
        todo.put(entry)
    rows: dict[str, StudentRow] = {}
    workers: list[Worker] = []
    lock = threading.Lock()
    stopping = threading.Event()  # Ctrl-C: no new student, no new worker, no row written

    def serve() -> None:
        worker: Worker | None = None
        try:
            while not stopping.is_set():
                try:
                    entry = todo.get_nowait()
                except queue.Empty:
                    return
                with lock:
                    if stopping.is_set():
                        return
                    if worker is None or not worker.alive:
                        worker = Worker()
                        workers.append(worker)
                row = _graded_or_why_not(worker, entry, options)
                with lock:
                    if stopping.is_set():
                        return
                    rows[row.student_id] = row
                    on_done(row)
        finally:
            if worker:
                worker.close()

    threads = [
        threading.Thread(target=serve, name=f"worker-{n}", daemon=True)
        for n in range(min(jobs, len(entries)))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:  # every worker removes its probes before we go
        with lock:
            stopping.set()
            running = list(workers)
        for worker in running:
            worker.stop()
        raise
    finally:
        _stop_forkserver()
    return [rows[entry.student_id] for entry in entries]


def _stop_forkserver() -> None:
    """Ends the server the workers were forked from, and waits for it: its workers' CPU is
    then counted as the batch's (by the shell's `time`, or getrusage), and nothing outlives the
    batch. Private to multiprocessing: where it is missing, the server ends by itself when the
    batch does."""
    with contextlib.suppress(AttributeError, OSError, ChildProcessError):
        multiprocessing.forkserver._forkserver._stop()


def _graded_or_why_not(worker: Worker, entry: RosterEntry, options: BatchOptions) -> StudentRow:
    """A row whatever happens: a grader bug on one student must not lose the class."""
    try:
        return grade_student(worker, entry, options)
    except Exception as error:
        return StudentRow(
            student_id=entry.student_id,
            name=entry.name,
            docker_host=entry.docker_host,
            status=RowStatus.UNGRADABLE,
            reason=f"internal error: {type(error).__name__}: {error}",
        )


def grade_student(worker: Worker, entry: RosterEntry, options: BatchOptions) -> StudentRow:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="docker-grade-") as scratch:
        report_path = Path(scratch) / "report.json"
        code, error = worker.grade(
            _arguments(entry, options, report_path), cwd=Path(scratch), timeout_s=options.timeout_s
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


def _arguments(entry: RosterEntry, options: BatchOptions, report_path: Path) -> list[str]:
    """The ``docker-grade`` command line that grades this student."""
    arguments = [
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
    arguments += [arg for pack in options.exercise_packs for arg in ("--exercises", str(pack))]
    # the class's settings first: a student's own value for the same param wins
    settings = (*options.settings, *entry.settings)
    arguments += [arg for setting in settings for arg in ("--set", setting)]
    if entry.folder:  # the worker runs elsewhere: a local folder is given whole
        on_engine = entry.folder.startswith(ENGINE_PREFIX)
        arguments += ["--folder", entry.folder if on_engine else str(Path(entry.folder).resolve())]
    if entry.tls_dir:
        arguments += ["--tls-dir", str(Path(entry.tls_dir).expanduser().resolve())]
    return arguments


def _worker_environment() -> dict[str, str]:
    """What a worker changes in the batch's environment: the packs of DOCKER_GRADE_EXERCISES
    made absolute (a worker grades from a folder of its own)."""
    named = os.environ.get(ENVIRONMENT_VARIABLE)
    if not named:
        return {}
    return {
        ENVIRONMENT_VARIABLE: os.pathsep.join(
            str(Path(p).expanduser().resolve()) for p in named.split(os.pathsep) if p.strip()
        )
    }


def _start_method() -> multiprocessing.context.BaseContext:
    """Workers forked from a server that imported what a grading needs (once per batch); a
    fresh interpreter each where there is no fork."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["grader.batch.worker"])
    return context


class Worker:
    """One warm grading process (grader.batch.worker), and the connection to it."""

    def __init__(self) -> None:
        from grader.batch.worker import serve

        context = _start_method()
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=serve, args=(theirs, _worker_environment()), name="docker-grade-worker"
        )
        self.process.start()
        theirs.close()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def grade(self, arguments: list[str], *, cwd: Path, timeout_s: float) -> tuple[int | None, str]:
        """The command's exit code and its one-line reason, or None and why when the time ran
        out (the worker is then stopped) or the worker died."""
        try:
            self.connection.send({"args": arguments, "cwd": str(cwd)})
            if not self.connection.poll(timeout_s):
                self.stop()
                return None, f"grading took longer than {timeout_s:g} s"
            reply = self.connection.recv()
        except (EOFError, OSError):  # the worker is gone
            self.stop()
            return None, f"the grading process ended unexpectedly (exit {self.process.exitcode})"
        code, message = reply["code"], reply["message"]
        return code, message or f"docker-grade exited with code {code}"

    def close(self) -> None:
        """Ends the worker once it is idle (its connection closed); stops it if it does not
        end."""
        self.connection.close()
        self.process.join(STOP_GRACE_S)
        self.stop()

    def stop(self) -> None:
        if not self.process.is_alive():
            self.process.join()
            return
        self.process.terminate()  # SIGTERM: it removes its probes
        self.process.join(STOP_GRACE_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
