"""PrairieLearn's external-grader ``results.json``, so that a question's grading job can end with

    docker-grade check --format prairielearn -o /grade/results/results.json

The format is PrairieLearn's "External Grading" page, "Grading results" (PrairieLearn/PrairieLearn,
``docs/externalGrading.md``): ``gradable``, ``score`` in [0, 1], ``message``, ``output`` and one
test per check with ``name``, ``description``, ``points``, ``max_points``, ``message`` and
``output``, as the ``<pl-external-grader-results>`` element renders them
(``apps/prairielearn/elements/pl-external-grader-results/``): the test's name on its collapsed
card, next to ``[points/max_points]``, red unless they are equal; the description, message and
output once it is opened.

An engine that cannot be used is not the student's fault: ``ungradable`` says so with
``"gradable": false`` and the reason in ``format_errors``, which PrairieLearn shows as "Invalid,
not gradable" without awarding or taking points, nor counting the attempt.
"""

from __future__ import annotations

import json
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
from grader.i18n import Lang, t
from grader.report.models import CheckResult, ExerciseResult, Report, Status
from grader.report.printable import printable

UNDECIDED_CHECK = t(
    "The grader could not decide this check: ask your teacher to look at it.",
    "Le correcteur n'a pas pu trancher cette vérification : demandez à votre enseignant de "
    "l'examiner.",
)
_NOT_GRADED = t(
    "Your work was not graded: the Docker engine could not be used. This attempt does not "
    "count; submit again, and tell your teacher if it happens again.",
    "Votre travail n'a pas été noté : le moteur Docker n'a pas pu être utilisé. Cette tentative "
    "ne compte pas ; soumettez à nouveau, et prévenez votre enseignant si cela se reproduit.",
)


class PrairieLearnExporter(Exporter):
    name = "prairielearn"

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        results = {
            "gradable": True,
            "score": _fraction(report),
            "message": _summary(report, lang),
            "output": "\n".join(_exercise_line(exercise) for exercise in report.exercises),
            "tests": [
                _test(exercise, check, lang)
                for exercise in report.exercises
                for check in exercise.checks
            ],
        }
        return _json(results)

    def ungradable(self, reason: str, *, lang: Lang) -> str:
        """The results of a grading that could not take place (the engine could not be used):
        no score, no attempt charged, the reason shown."""
        results = {
            "gradable": False,
            # PrairieLearn ignores the score of an ungradable submission, but reads it as a number.
            "score": 0.0,
            "format_errors": [printable(reason)],
            "message": _NOT_GRADED.render(lang),
        }
        return _json(results)


def _test(exercise: ExerciseResult, check: CheckResult, lang: Lang) -> dict[str, Any]:
    return {
        # The ids are what docker-grade's other outputs and hints name; the title says what it is.
        "name": f"{exercise.id}/{check.id}: {check.title}",
        "description": f"{exercise.id}: {exercise.title}",
        "points": float(check.score),
        "max_points": float(check.max_score),
        # ansi2html escapes the HTML these are shown in; control characters go here.
        "message": printable(check.message),
        "output": printable(_output(check, lang)),
    }


def _output(check: CheckResult, lang: Lang) -> str:
    """What the card cannot say with its colour: skipped or undecided, and how to fix it."""
    lines = []
    if check.status is Status.SKIPPED:
        lines.append(STATUS_WORD[check.status].render(lang))
    elif check.status is Status.ERROR:
        lines.append(f"{STATUS_WORD[check.status].render(lang)}: {UNDECIDED_CHECK.render(lang)}")
    if check.status is not Status.PASSED and check.hint:
        lines.append(f"{HINT.render(lang)}: {check.hint}")
    return "\n".join(lines)


def _summary(report: Report, lang: Lang) -> str:
    counts = status_counts(report)
    lines = [score_line(report, lang)]
    if counts[Status.ERROR]:
        lines.append(UNDECIDED.render(lang))
    return "\n".join(lines)


def _exercise_line(exercise: ExerciseResult) -> str:
    return printable(
        f"{exercise.id}: {points(exercise.score)} / {points(exercise.max_score)}  {exercise.title}"
    )


def _fraction(report: Report) -> float:
    """The score PrairieLearn records, in [0, 1]; a report with nothing to score has none
    lost."""
    if report.max_score <= 0:
        return 1.0
    return min(1.0, max(0.0, report.score / report.max_score))


def _json(results: dict[str, Any]) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"
