"""Reading a file of a container through the Engine API (``get_archive``), never with a binary
inside the container. The tar header gives the owner and time, so this works on a remote
engine too."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone

from docker.errors import NotFound

MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileRead:
    path: str
    content: bytes  # at most MAX_BYTES
    size: int
    uid: int
    modified: datetime

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def read_file(api, container_id: str, path: str) -> FileRead | None:
    """The file at ``path`` in the container (through its mounts), or None if there is none.
    Raises docker's NotFound when the container itself is gone."""
    try:
        stream, _ = api.get_archive(container_id, path)
    except NotFound as error:
        if "no such container" in str(error.explanation).lower():
            raise  # the container vanished: not an absent file
        return None
    buffer = io.BytesIO()
    for chunk in stream:
        buffer.write(chunk)
        if buffer.tell() > MAX_BYTES + 64 * 1024:  # header and padding beyond the content
            break
    buffer.seek(0)
    with tarfile.open(fileobj=buffer, mode="r|") as archive:
        member = archive.next()
        if member is None or not member.isfile():
            return None
        content = archive.extractfile(member).read(MAX_BYTES)
    return FileRead(
        path,
        content,
        member.size,
        member.uid,
        datetime.fromtimestamp(member.mtime, tz=timezone.utc),
    )
