"""The grades folder ``batch --out`` writes (and ``serve --export``): ``<student_id>.json``
for each graded student, ``gradebook.csv`` and ``summary.html``; ``gradebook`` and ``rescore``
read it back."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from grader.atomic_write import write_atomically
from grader.batch.gradebook import gradebook_csv
from grader.batch.models import ClassResult, StudentRow
from grader.batch.summary import render_summary
from grader.languages import Lang


def write_student_report(out_dir: Path, row: StudentRow) -> None:
    path = out_dir / f"{row.student_id}.json"
    if row.report is not None:
        write_atomically(path, row.report.model_dump_json(indent=2) + "\n")
    else:  # a stale report from an earlier run would pass for this one's
        path.unlink(missing_ok=True)


def write_class_files(out_dir: Path, result: ClassResult, *, lang: Lang) -> None:
    """The gradebook and the summary of the whole class."""
    write_atomically(out_dir / "gradebook.csv", gradebook_csv(result))
    write_atomically(
        out_dir / "summary.html",
        render_summary(result, lang=lang, generated_at=datetime.now(timezone.utc)),
    )
