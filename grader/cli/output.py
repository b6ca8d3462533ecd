"""Writing a command's result to standard output or to a file, atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

from grader.errors import UsageError


def write_output(destination: str, render: Callable[[bool], str]) -> None:
    """``render(color)`` gives the text; colour only on a terminal."""
    if destination == "-":
        sys.stdout.write(render(sys.stdout.isatty()))
        sys.stdout.flush()
        return
    write_atomically(Path(destination), render(False))


def write_atomically(path: Path, text: str, *, mode: int | None = None) -> None:
    """A reader never sees a half-written file (nor docker a half-written plugin): write
    beside it, with ``mode`` if given, then rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
