"""The student's folder: where the files an exercise reads (``path`` params: a Dockerfile's
folder, ``myimage.tar``) are found. On the grader's machine, or on the engine's host when named
``engine:/home/ana/docker-course`` (a remote student's files, read where they are).

>>> StudentFolder.parse("engine:/home/ana/course")
StudentFolder(path='/home/ana/course', on_engine=True)
>>> str(StudentFolder.parse("engine:/home/ana/course"))
'engine:/home/ana/course'
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

ENGINE_PREFIX = "engine:"


@dataclass(frozen=True)
class StudentFolder:
    path: str  # absolute: on this machine, or on the engine's host
    on_engine: bool = False

    @classmethod
    def parse(cls, text: str) -> StudentFolder:
        """A usage error (exit 2) for a local folder that does not exist or an engine path
        that is not absolute; an engine folder's existence is known only on the engine."""
        if text.startswith(ENGINE_PREFIX):
            path = text[len(ENGINE_PREFIX) :]
            if not path.startswith("/"):
                raise UsageError(
                    f"{text}: a folder on the engine's host is named by its absolute path "
                    "(engine:/home/ana/docker-course)"
                )
            return cls(posixpath.normpath(path), on_engine=True)
        local = Path(text).expanduser().resolve()
        if not local.is_dir():
            raise UsageError(
                f"{text}: no such folder here (engine:PATH names one on the engine's host)"
            )
        return cls(str(local))

    def __str__(self) -> str:
        return f"{ENGINE_PREFIX}{self.path}" if self.on_engine else self.path
