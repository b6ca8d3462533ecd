"""Fake engine sockets for the error paths: one that never answers, one nobody may open."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def silent_engine(path: Path) -> Iterator[str]:
    """A unix socket that accepts connections and never answers; yields its ``unix://`` URL."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    held: list[socket.socket] = []  # an unreferenced connection would close: keep them open

    def accept_forever() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(server.accept()[0])

    threading.Thread(target=accept_forever, daemon=True).start()
    try:
        yield f"unix://{path}"
    finally:
        server.close()
        for connection in held:
            connection.close()


@contextlib.contextmanager
def forbidden_engine(path: Path) -> Iterator[str]:
    """A unix socket with mode 000: connecting to it is denied to anyone without
    CAP_DAC_OVERRIDE."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    os.chmod(path, 0)
    try:
        yield f"unix://{path}"
    finally:
        server.close()
