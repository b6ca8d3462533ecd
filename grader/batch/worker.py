"""A warm grading process of ``batch``: it grades students one after another, each as a lone
``docker-grade check`` would (the same command, run in-process), so the interpreter, the imports
and the check modules' first import are paid once per worker instead of once per student.

Protocol, one JSON object per line: a job on stdin ``{"args": [...], "cwd": "..."}``, its
reply on stdout ``{"code": N, "message": "..." | null}``. Anything the grading prints goes to
stderr. SIGTERM interrupts the grading under way (its probes are removed) and ends the worker.

    python -P -m grader.batch.worker
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    logging.basicConfig(format="docker-grade: %(message)s", level=logging.WARNING)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not break the protocol
    from grader.cli import run  # imported once, for every student
    from grader.errors import ExitCode

    home = os.getcwd()
    for line in sys.stdin:
        job = json.loads(line)
        os.chdir(job["cwd"])
        try:
            code, message = run(job["args"], show_usage=False)
        finally:
            os.chdir(home)  # the student's scratch folder is removed after: never stay in it
        replies.write(json.dumps({"code": int(code), "message": message}) + "\n")
        if code == ExitCode.INTERRUPTED:
            return int(code)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # stopped between two students
        sys.exit(130)
