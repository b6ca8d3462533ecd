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
    """Every report of a grades folder, by the student id it names."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of reports")
    found = {}
    for path in sorted(folder.glob("*.json")):
        report = read_report(path)
        found[report.student.id or path.stem] = (path, report)
    return found
