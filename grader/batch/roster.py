"""The class roster: a CSV file with a header, one student per line.

Columns: ``student_id`` and ``docker_host`` (required), ``name``, ``tls_dir`` (client
certificates for ``tcp://`` with TLS), ``folder`` (where the student's files are: Dockerfile,
image archive; ``engine:/home/ana/course`` names a folder on the student's own host) and ``set``
(the student's own params, as ``--set`` takes them, separated by ``;``:
``host_port=8183;subnet=192.168.7.0/24``). A malformed roster is refused before anything runs,
with the line at fault.

>>> load_roster(Path("class.csv"))[0].docker_host          # doctest: +SKIP
'ssh://student1@lab-01'
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.errors import UsageError

REQUIRED = ("student_id", "docker_host")
OPTIONAL = ("name", "tls_dir", "folder", "set")
SCHEMES = ("unix://", "tcp://", "ssh://", "npipe://", "http://", "https://")


class RosterEntry(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )

    # It names the student's report file: letters, digits, and . _ @ - only.
    student_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$", max_length=128)
    docker_host: str
    name: str = ""
    tls_dir: Optional[Path] = None
    folder: Optional[str] = None  # a folder here, or engine:/PATH on the student's host
    settings: tuple[str, ...] = Field(default=(), alias="set")
    line: int = Field(default=0, exclude=True)

    @field_validator("settings", mode="before")
    @classmethod
    def _split_settings(cls, value):
        """``a=1;b=2`` -> ``("a=1", "b=2")``; each is checked against the exercises later."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(";") if part.strip())
        return value

    @field_validator("docker_host")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(SCHEMES):
            raise ValueError(f"{value!r} is not an engine address ({', '.join(SCHEMES)})")
        return value


def load_roster(path: Path) -> list[RosterEntry]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            _check_header(path, reader.fieldnames)
            entries = [_entry(path, reader.line_num, row) for row in reader]
    except OSError as error:
        raise UsageError(f"{path}: cannot read the roster: {error.strerror}") from None
    except csv.Error as error:
        raise UsageError(f"{path}: not a CSV file: {error}") from None
    if not entries:
        raise UsageError(f"{path}: the roster has no student")
    _check_unique(path, entries)
    return entries


def _check_header(path: Path, fields: list[str] | None) -> None:
    fields = [field.strip() for field in fields or []]
    missing = [column for column in REQUIRED if column not in fields]
    if missing:
        raise UsageError(
            f"{path}:1: the header lacks {', '.join(missing)} "
            f"(columns: {', '.join(REQUIRED + OPTIONAL)})"
        )
    unknown = [column for column in fields if column not in REQUIRED + OPTIONAL]
    if unknown:
        raise UsageError(f"{path}:1: unknown column(s) {', '.join(unknown)}")


def _entry(path: Path, line: int, row: dict) -> RosterEntry:
    if None in row or any(value is None for value in row.values()):
        raise UsageError(
            f"{path}:{line}: expected {len(row) - (None in row)} fields, found another number"
        )
    values = {key.strip(): value for key, value in row.items() if value and value.strip()}
    try:
        return RosterEntry(**values, line=line)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{path}:{line}: {field}: {first['msg']}") from None


def _check_unique(path: Path, entries: list[RosterEntry]) -> None:
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.student_id in seen:
            raise UsageError(
                f"{path}:{entry.line}: student_id {entry.student_id!r} already on "
                f"line {seen[entry.student_id]}"
            )
        seen[entry.student_id] = entry.line
