"""Writing a command's result to standard output or to a file, atomically
(``write_atomically``, shared with the batch's and the class server's grade folders)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Callable

from grader.atomic_write import write_atomically

# Set by a command once its report is written and everything it held released (check): the
# process then ends without the interpreter's teardown, which only frees the modules of docker,
# pytest and pydantic (0.06 s). Only main() reads it: a batch worker, which runs the command
# in-process and goes on, never ends so.
NOTHING_LEFT_TO_RELEASE = threading.Event()


def write_output(destination: str, render: Callable[[bool], str]) -> None:
    """``render(color)`` gives the text; colour only on a terminal."""
    if destination == "-":
        sys.stdout.write(render(sys.stdout.isatty()))
        sys.stdout.flush()
        return
    write_atomically(Path(destination), render(False))
