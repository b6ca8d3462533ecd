"""The command line: one command per module; errors end here, once, as one line and a code.

Exit codes: 0 every graded check passed (batch: every student graded; selftest: every
exercise behaves); 1 at least one did not; 2 usage or spec error (validate: a problem found);
3 the engine cannot be used (batch: a student could not be graded); 4 a bug in docker-grade;
130 interrupted.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

import click

from grader import __version__
from grader.cli.batch import batch
from grader.cli.check import check
from grader.cli.explain import explain
from grader.cli.gradebook import gradebook
from grader.cli.list import list_exercises
from grader.cli.new import new
from grader.cli.output import NOTHING_LEFT_TO_RELEASE
from grader.cli.plugin import plugin
from grader.cli.rescore import rescore
from grader.cli.schema import schema
from grader.cli.selftest import selftest
from grader.cli.serve import serve
from grader.cli.validate import validate
from grader.cli.watch import watch
from grader.errors import ExitCode, GraderError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docker-grade")
def docker_grade() -> None:
    """Grades the Docker course's exercises on a real Docker engine."""


for command in (
    batch,
    check,
    explain,
    gradebook,
    list_exercises,
    new,
    plugin,
    rescore,
    schema,
    selftest,
    serve,
    validate,
    watch,
):
    docker_grade.add_command(command)


def abort(message: str, code: int) -> None:
    click.echo(f"docker-grade: {message}", err=True)
    sys.exit(code)


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    # Warnings (probes left by a killed grader...) go to stderr as one line each.
    logging.basicConfig(format="docker-grade: %(message)s", level=logging.WARNING)
    code, message = run()
    if message:
        abort(message, code)
    if NOTHING_LEFT_TO_RELEASE.is_set():
        _end_at_once(code)
    sys.exit(code)


def _end_at_once(code: int) -> None:
    """Ends the process without the interpreter's teardown (see NOTHING_LEFT_TO_RELEASE)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def run(args: list[str] | None = None, *, show_usage: bool = True) -> tuple[int, str | None]:
    """Runs one command line (``sys.argv`` when None): its exit code, and the one line to show
    when it failed. Every error is caught here, once; batch's warm workers call it too, with
    ``show_usage`` off: a usage error is then their one line, not click's usage text."""
    try:
        # Outside standalone mode, click returns a command's exit code instead of exiting.
        code = docker_grade.main(args, standalone_mode=False)
        return (code if isinstance(code, int) else ExitCode.ALL_PASSED), None
    except click.ClickException as error:
        if not show_usage:
            return ExitCode.USAGE, error.format_message()
        error.show()
        return ExitCode.USAGE, None
    except (click.Abort, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, "interrupted"
    except GraderError as error:
        return error.code, error.message
    except Exception as error:  # a bug: say so in one line, with what to report
        return ExitCode.INTERNAL, (
            f"internal error: {type(error).__name__}: {error} (please report it)"
        )


# Set by SIGTERM as well as raised: Python drops an exception raised while it runs a weakref
# callback (a thread's end, say), and a loop that polls (watch) must still see the request.
INTERRUPTED = threading.Event()


def _interrupt(signum, frame) -> None:
    INTERRUPTED.set()
    raise KeyboardInterrupt
