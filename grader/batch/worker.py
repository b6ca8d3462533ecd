"""A warm grading process of ``batch``: it grades students one after another, each as a lone
``docker-grade check`` would (the same command, run in-process), so the interpreter, the imports
and the check modules' first import are paid once per worker instead of once per student.

Workers are forked from one server process that imported this module, and with it what a
grading needs (multiprocessing's forkserver): the imports are paid once per batch, not once per
worker. Where there is no fork (Windows), each worker starts afresh.

Protocol over a multiprocessing connection: a job ``{"args": [...], "cwd": "..."}``, its reply
``{"code": N, "message": "..." | None}``. Anything the grading prints is dropped. SIGTERM
interrupts the grading under way (its probes are removed) and ends the worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys

# What a grading imports, imported once in the server the workers are forked from.
import grader.engine.client  # noqa: F401
import grader.exporters.json  # noqa: F401
import grader.grading  # noqa: F401
from grader.cli import run
from grader.errors import ExitCode
from grader.spec.catalog import Catalog


def _warm() -> None:
    """Parses the bundled exercise specs once, in the server: every worker inherits them
    (the loader keeps each spec by its file's version)."""
    with contextlib.suppress(Exception):  # a worker meets any problem again, and says it
        Catalog.load(quiet=True)


_warm()


def serve(connection, environment: dict[str, str]) -> None:
    """Grades the jobs that come over ``connection`` until it is closed, or until SIGTERM."""
    os.setsid()  # Ctrl-C reaches the batch only; it stops each worker itself, probes removed
    signal.signal(signal.SIGTERM, _interrupt)
    _drop_output()
    os.environ.update(environment)
    # a student's folder, the cwd of a grading, must not shadow our modules
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    logging.basicConfig(format="docker-grade: %(message)s", level=logging.WARNING)
    home = os.getcwd()
    try:
        while True:
            try:
                job = connection.recv()
            except EOFError:  # the batch is done with this worker
                return
            os.chdir(job["cwd"])
            try:
                code, message = run(job["args"], show_usage=False)
            finally:
                os.chdir(home)  # the student's scratch folder is removed after: never stay in it
            connection.send({"code": int(code), "message": message})
            if code == ExitCode.INTERRUPTED:
                return
    except KeyboardInterrupt:  # stopped between two students
        return


def _drop_output() -> None:
    """What a grading prints goes nowhere: the batch's terminal shows its own progress."""
    sys.stdout.flush()
    sys.stderr.flush()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
