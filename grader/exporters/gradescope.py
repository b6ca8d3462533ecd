"""Gradescope's autograder ``results.json``, so ``run_autograder`` can be one command:

    docker-grade check --format gradescope -o /autograder/results/results.json

The format is Gradescope's "Autograder Specifications" (gradescope-autograders.readthedocs.io,
``specs``): a top-level ``score`` (which overrides the total of the tests), ``execution_time`` in
whole seconds, an ``output`` shown above the tests, visibilities, a free-form ``extra_data``, and
one test per check. A test's ``status`` is only ``passed`` or ``failed``, so a skipped check and
one the grader could not decide are failed tests whose output says which.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from grader.exporters.base import Exporter
from grader.exporters.wording import (
    HINT,
    STATUS_WORD,
    UNDECIDED,
    points,
    score_line,
    status_counts,
)
from grader.i18n import Lang
from grader.report.models import CheckResult, ExerciseResult, Report, Status

_VISIBLE = "visible"


class GradescopeExporter(Exporter):
    name = "gradescope"

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        results = {
            "score": float(report.score),
            "execution_time": math.ceil(report.duration_s),
            "output": _summary(report, lang),
            # The top-level output is HTML by default ("simple_format": HTML, with \n as <br />);
            # the summary is escaped for it. Test names and outputs default to plain text.
            "output_format": "simple_format",
            "visibility": _VISIBLE,
            "stdout_visibility": _VISIBLE,
            "extra_data": {
                "student_id": report.student.id,
                "docker_host": report.host.docker_host,
                "engine_version": report.host.engine_version,
                "tool_version": report.tool.version,
                "started_at": report.started_at.isoformat(),
            },
            "tests": [
                _test(exercise_number, check_number, exercise, check, lang)
                for exercise_number, exercise in enumerate(report.exercises, start=1)
                for check_number, check in enumerate(exercise.checks, start=1)
            ],
        }
        return json.dumps(results, indent=2, ensure_ascii=False) + "\n"


def _test(
    exercise_number: int,
    check_number: int,
    exercise: ExerciseResult,
    check: CheckResult,
    lang: Lang,
) -> dict[str, Any]:
    return {
        "name": f"{exercise.id} › {check.id}: {check.title}",
        # The exercises' numbers in the course are not in the report: their order in it is.
        "number": f"{exercise_number}.{check_number}",
        "score": float(check.score),
        "max_score": float(check.max_score),
        "status": "passed" if check.status is Status.PASSED else "failed",
        "output": _output(check, lang),
        "visibility": _VISIBLE,
    }


def _output(check: CheckResult, lang: Lang) -> str:
    text = check.message
    if check.status in (Status.SKIPPED, Status.ERROR):
        text = f"{STATUS_WORD[check.status].render(lang)}: {text}"
    if check.status is not Status.PASSED and check.hint:
        text += f"\n{HINT.render(lang)}: {check.hint}"
    return text


def _summary(report: Report, lang: Lang) -> str:
    counts = status_counts(report)
    lines = [score_line(report, lang)]
    lines += [f"{e.id}: {points(e.score)} / {points(e.max_score)}" for e in report.exercises]
    if counts[Status.ERROR]:
        lines.append(UNDECIDED.render(lang))
    return html.escape("\n".join(lines), quote=False)
