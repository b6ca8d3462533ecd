"""A folder received as a tar stream: only its regular files and folders, nothing outside it,
and a size limit."""

from __future__ import annotations

import io
import tarfile

import pytest

from grader.artifacts.folders import FolderTooLarge, extract_folder


def _tar(members: list[tuple[str, bytes | str | None]]) -> list[bytes]:
    """A tar in 100-byte chunks, as get_archive streams it; bytes: a file, str: a symlink's
    target, None: a folder."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            elif isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    data = buffer.getvalue()
    return [data[i : i + 100] for i in range(0, len(data), 100)]


def test_only_the_folders_own_regular_files_are_written(tmp_path):
    chunks = _tar(
        [
            ("course", None),
            ("course/Dockerfile", b"FROM node\n"),
            ("course/nginx", None),
            ("course/nginx/index.html", b"<h1>mine</h1>"),
            ("course/../escape.txt", b"out"),
            ("/etc/evil", b"abs"),
            ("course/link", "/etc/passwd"),
        ]
    )
    into = tmp_path / "copy"
    into.mkdir()
    assert extract_folder(chunks, into) == 2
    assert (into / "Dockerfile").read_bytes() == b"FROM node\n"
    assert (into / "nginx" / "index.html").read_text() == "<h1>mine</h1>"
    assert sorted(p.name for p in into.rglob("*")) == ["Dockerfile", "index.html", "nginx"]
    assert not (tmp_path / "escape.txt").exists()


def test_a_folder_over_the_limit_is_refused(tmp_path):
    chunks = _tar([("course/a", b"x" * 600), ("course/b", b"y" * 600)])
    with pytest.raises(FolderTooLarge):
        extract_folder(chunks, tmp_path, limit=1000)
