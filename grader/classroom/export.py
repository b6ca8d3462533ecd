"""``serve --export``: each student's latest results in the grades folder ``batch --out``
writes, so that ``gradebook`` and ``rescore`` work on a lab session. These are the students'
own gradings, sent by their ``watch``: formative, not an exam's.
"""

from __future__ import annotations

from pathlib import Path

from grader.batch.grades_folder import write_class_files, write_student_report
from grader.batch.models import ClassResult, RowStatus, StudentRow
from grader.classroom.outline import CourseOutline, merged_report
from grader.classroom.roster import ClassStudent
from grader.classroom.store import ClassStore
from grader.languages import Lang

NOTHING_SENT = "sent no grading to the class server"


def export_grades(
    store: ClassStore,
    roster: list[ClassStudent],
    outline: CourseOutline,
    out_dir: Path,
    *,
    lang: Lang,
) -> ClassResult:
    rows = [_row(store, student, outline) for student in roster]
    graded = {e.id for row in rows if row.report for e in row.report.exercises}
    result = ClassResult(
        rows=rows, exercise_ids=[e.id for e in outline.exercises if e.id in graded]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for row in rows:
        write_student_report(out_dir, row)
    write_class_files(out_dir, result, lang=lang)
    return result


def _row(store: ClassStore, student: ClassStudent, outline: CourseOutline) -> StudentRow:
    results, latest = store.latest(student.student_id)
    if latest is None:
        return StudentRow(
            student_id=student.student_id,
            name=student.name,
            docker_host="",
            status=RowStatus.UNGRADABLE,
            reason=NOTHING_SENT,
        )
    return StudentRow(
        student_id=student.student_id,
        name=student.name,
        docker_host=latest.host.docker_host,
        status=RowStatus.GRADED,
        report=merged_report(latest, results, outline, student.student_id),
    )
