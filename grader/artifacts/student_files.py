"""Opening a file of the student's folder without trusting what it is.

A FIFO named ``Dockerfile`` would block a read forever, a device would never end, a folder
cannot be read: only a regular file (possibly through a symlink) is opened, and it is opened
without blocking, so a FIFO swapped in after the check cannot block either.

>>> with open_regular_file(Path("Dockerfile")) as handle:        # doctest: +SKIP
...     text = handle.read(MAX_TEXT_BYTES + 1)
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

MAX_TEXT_BYTES = 1024 * 1024  # a Dockerfile or a page is KiBs; past this, it is not one


class NotARegularFile(Exception):
    """The path exists but is a FIFO, a socket, a device or a folder: the message says which."""


def open_regular_file(path: Path) -> BinaryIO:
    """Opens ``path`` for binary reading; raises NotARegularFile for anything but a regular
    file, FileNotFoundError when there is nothing there, PermissionError as usual."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(f"{path} is {_kind(mode)}, not a regular file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """The text of a small regular file, decoded as UTF-8 (bad bytes replaced); raises
    NotARegularFile for a non-regular file or one larger than ``limit`` bytes."""
    with open_regular_file(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise NotARegularFile(f"{path} is larger than {limit // 1024} KiB")
    return data.decode("utf-8", errors="replace")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a file"
