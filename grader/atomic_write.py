"""Files written whole or not at all: the reports, gradebooks, tokens and plugins a reader
may open at any moment."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from grader.errors import UsageError


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
