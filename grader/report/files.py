"""Reports read back from disk (``<student_id>.json`` of a batch, ``check --format json``):
validated, of this schema's major version, or refused with one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from grader.errors import UsageError
from grader.report.models import Report
from grader.report.rescoring import check_schema


def read_report(path: Path) -> Report:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a docker-grade report (not JSON: {error})") from None
    if not isinstance(data, dict) or "exercises" not in data:
        raise UsageError(f"{path}: not a docker-grade report (no exercises)")
    check_schema(data, str(path))
    try:
        return Report.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{path}: not a docker-grade report ({where}: {first['msg']})") from None


def reports_in(folder: Path) -> dict[str, tuple[Path, Report]]:
    """Every report of a grades folder (``batch --out``), by the student it names: each must
    name one, and only one report per student."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder (the --out folder of docker-grade batch)")
    found: dict[str, tuple[Path, Report]] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("."):  # a file being written, or not ours
            continue
        report = read_report(path)
        student = report.student.id
        if not student:
            raise UsageError(f"{path}: the report names no student (grade with --student)")
        if student in found:
            raise UsageError(f"{path}: student {student!r} already graded in {found[student][0]}")
        found[student] = (path, report)
    return found
