"""The folder ``docker-grade batch --out`` wrote, read back for an LMS: every
``<student_id>.json`` report, and from ``gradebook.csv`` the students who could not be graded.

A file that is not a report of this schema's major version refuses the whole folder, naming
the file: an import made of part of a class would look complete.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.report.files import reports_in
from grader.report.models import Report

GRADEBOOK = "gradebook.csv"
_UNGRADABLE = "ungradable: "


@dataclass(frozen=True)
class ImportFile:
    """What an LMS imports, and the lines the instructor must read (students left out...)."""

    text: str
    notes: list[str]


@dataclass(frozen=True)
class Grades:
    reports: dict[str, Report]  # by student id: the roster's order, then the others by name
    not_graded: dict[str, str]  # student id -> why there is no report (gradebook.csv's status)


def point_text(value: float) -> str:
    """Points as an LMS reads them: at most two decimals (Canvas shows and exports two), no
    trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def load_grades(folder: Path) -> Grades:
    reports = _reports(folder)
    roster = _roster(folder / GRADEBOOK)
    if not reports:
        raise UsageError(f"{folder}: no <student_id>.json report to import")
    order = [student for student in roster if student in reports]
    order += [student for student in reports if student not in roster]
    not_graded = {
        student: reason or "no report"
        for student, reason in roster.items()
        if student not in reports
    }
    return Grades({student: reports[student] for student in order}, not_graded)


def _reports(folder: Path) -> dict[str, Report]:
    return {student: report for student, (_, report) in reports_in(folder).items()}


def _roster(path: Path) -> dict[str, str]:
    """``{student id: reason}`` in roster order, the reason empty for a graded student; no
    gradebook, no roster."""
    if not path.is_file():
        return {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not {"student_id", "status"} <= set(reader.fieldnames or ()):
                raise UsageError(f"{path}:1: not docker-grade's gradebook (no student_id, status)")
            return {
                row["student_id"]: _reason(row.get("status") or "")
                for row in reader
                if row.get("student_id")
            }
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a CSV file: {error}") from None


def _reason(status: str) -> str:
    if status.startswith(_UNGRADABLE):
        return status[len(_UNGRADABLE) :] or "ungradable"
    return "" if status == "graded" else status
