"""The class roster of a lab session: ``student_id`` and ``name`` (the id when there is no
name); any other column (``batch``'s ``docker_host``, ``folder``...) is ignored, so
``batch``'s roster serves as it is.

>>> load_class_roster(Path("class.csv"))[0]                     # doctest: +SKIP
ClassStudent(student_id='ana', name='Ana Martin')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

REQUIRED = ("student_id",)
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"  # as batch's: it names the student's report file


@dataclass(frozen=True)
class ClassStudent:
    student_id: str
    name: str


def load_class_roster(path: Path) -> list[ClassStudent]:
    import re

    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [field.strip() for field in reader.fieldnames or []]
            missing = [column for column in REQUIRED if column not in fields]
            if missing:
                raise UsageError(f"{path}:1: the header lacks {', '.join(missing)}")
            students, seen = [], {}
            for row in reader:
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                line = reader.line_num
                student_id, name = row.get("student_id", ""), row.get("name", "")
                if not re.match(ID_PATTERN, student_id) or len(student_id) > 128:
                    raise UsageError(
                        f"{path}:{line}: student_id {student_id!r}: letters, digits and . _ @ - "
                        "only, starting with a letter or digit"
                    )
                if student_id in seen:
                    raise UsageError(
                        f"{path}:{line}: student_id {student_id!r} already on line "
                        f"{seen[student_id]}"
                    )
                seen[student_id] = line
                students.append(ClassStudent(student_id, name or student_id))
    except OSError as error:
        raise UsageError(f"{path}: cannot read the roster: {error.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a CSV file: {error}") from None
    if not students:
        raise UsageError(f"{path}: the roster has no student")
    return students
