"""The gradebook: one CSV row per roster line, in roster order, ready for a Moodle or Canvas
grade import (``student_id,name,score,max_score,<exercise ids>,status``)."""

from __future__ import annotations

import csv
import io

from grader.batch.models import ClassResult, RowStatus, StudentRow


def gradebook_csv(result: ClassResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "score", "max_score", *result.exercise_ids, "status"])
    for row in result.rows:
        writer.writerow(_cells(row, result.exercise_ids))
    return buffer.getvalue()


def _cells(row: StudentRow, exercise_ids: list[str]) -> list[str]:
    if row.status is not RowStatus.GRADED or row.report is None:
        return [
            row.student_id,
            row.name,
            "",
            "",
            *([""] * len(exercise_ids)),
            f"ungradable: {row.reason}",
        ]
    scores = {exercise.id: exercise.score for exercise in row.report.exercises}
    return [
        row.student_id,
        row.name,
        _number(row.report.score),
        _number(row.report.max_score),
        *(_number(scores[i]) if i in scores else "" for i in exercise_ids),
        "graded",
    ]


def _number(value: float) -> str:
    return f"{value:g}"
