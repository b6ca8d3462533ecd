"""Moodle: a CSV for its grade import (Grades > Import > CSV file).

Moodle's import (moodle/moodle, ``grade/import/csv/classes/load_data.php``; docs.moodle.org,
"Grade import") takes any columns: on its preview page the instructor maps one column ("Map
from") to the user field that finds each student ("Map to": ``useridnumber``, ``useremail`` or
``username``), and each other column to a grade item, to a new one (named after the column), to
an item's feedback, or to nothing. The columns are named here as Moodle's own grade export
names them: ``ID number``, ``Email address`` or ``Username``; the grade item; ``Feedback:``
and the item.

One row per report. A row whose user Moodle cannot find aborts the whole import, and an empty
grade clears the one Moodle holds: a student without a report is left out (their grade in
Moodle stays as it is) and said so.
"""

from __future__ import annotations

import csv
import io

from grader.batch.lms.grades_dir import Grades, ImportFile, point_text
from grader.errors import UsageError
from grader.report.models import Report

# --identifier: the column's name in Moodle's export, and the "Map to" it needs
IDENTIFIERS = {
    "idnumber": ("ID number", "useridnumber"),
    "email": ("Email address", "useremail"),
    "username": ("Username", "username"),
}
DEFAULT_ITEM = "docker-grade"


def moodle_import(
    grades: Grades, *, identifier: str = "idnumber", item: str = DEFAULT_ITEM, feedback: bool
) -> ImportFile:
    column, _ = IDENTIFIERS[identifier]
    if identifier == "email":
        _check_emails(grades)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column, item] + ([f"Feedback: {item}"] if feedback else []))
    for student, report in grades.reports.items():
        writer.writerow(
            [student, point_text(report.score)] + ([_feedback(report)] if feedback else [])
        )
    notes = [
        f"{student}: {reason}: left out, their grade in Moodle stays as it is"
        for student, reason in grades.not_graded.items()
    ]
    return ImportFile(buffer.getvalue(), notes)


def map_to(identifier: str) -> str:
    """What to choose in Moodle's "Map to" for ``identifier``'s column."""
    return IDENTIFIERS[identifier][1]


def _check_emails(grades: Grades) -> None:
    """Moodle stops the whole import at the first user it cannot find: refuse it here."""
    for student in grades.reports:
        if "@" not in student:
            raise UsageError(
                f"student {student!r} is no email address: with --identifier email, the "
                "roster's student_id must be the student's Moodle email"
            )


def _feedback(report: Report) -> str:
    """Each exercise's points, what the grade alone does not say."""
    return "; ".join(
        f"{exercise.id} {point_text(exercise.score)}/{point_text(exercise.max_score)}"
        for exercise in report.exercises
    )
