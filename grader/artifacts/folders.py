"""A folder received as a tar stream (``get_archive``), written to a local folder: regular files
and folders only, nothing outside it, and at most ``limit`` bytes in all."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path, PurePosixPath
from typing import Iterable

MAX_FOLDER_BYTES = 4 * 1024**3  # a course folder holds a Dockerfile and an image archive


class FolderTooLarge(Exception):
    pass


class _ChunkReader(io.RawIOBase):
    """A file over an iterator of byte chunks, read once from start to end."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks, self._rest = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            self._rest = next(self._chunks, None)
            if self._rest is None:
                self._rest = b""
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size], self._rest = self._rest[:size], self._rest[size:]
        return size


def extract_folder(chunks: Iterable[bytes], into: Path, *, limit: int = MAX_FOLDER_BYTES) -> int:
    """Writes the archive's folder (its first path component stripped: get_archive names the
    folder itself first) under ``into``; links, devices and names that climb out are left out.
    Returns the number of files written."""
    written, total = 0, 0
    stream = io.BufferedReader(_ChunkReader(chunks), buffer_size=1024 * 1024)
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            relative = _inside(member.name)
            if relative is None:
                continue
            target = into.joinpath(*relative.parts)
            if into.resolve() not in target.resolve().parents:
                continue  # whatever the platform makes of the name, never outside
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                total += member.size
                if total > limit:
                    raise FolderTooLarge(f"more than {limit // 1024**2} MiB")
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, target.open("wb") as copy:
                    while block := source.read(1024 * 1024):
                        copy.write(block)
                written += 1
    return written


def _inside(name: str) -> PurePosixPath | None:
    r"""The member's path below the archived folder, or None for the folder itself and any name
    that is absolute or climbs out.

    >>> _inside("course/nginx/index.html"), _inside("course"), _inside("course/../etc/passwd")
    (PurePosixPath('nginx/index.html'), None, None)
    >>> _inside("course/..\\..\\x"), _inside("course/C:\\x")
    (None, None)
    """
    parts = PurePosixPath(name).parts
    if not parts or parts[0] == "/" or ".." in parts:
        return None
    if any("\\" in part or ":" in part for part in parts):  # a Windows path in one name
        return None
    relative = PurePosixPath(*parts[1:]) if len(parts) > 1 else None
    return relative
