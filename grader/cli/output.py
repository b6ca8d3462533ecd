"""Writing a command's result to standard output or to a file, atomically
(``write_atomically``, shared with the batch's and the class server's grade folders)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from grader.atomic_write import write_atomically


def write_output(destination: str, render: Callable[[bool], str]) -> None:
    """``render(color)`` gives the text; colour only on a terminal."""
    if destination == "-":
        sys.stdout.write(render(sys.stdout.isatty()))
        sys.stdout.flush()
        return
    write_atomically(Path(destination), render(False))
