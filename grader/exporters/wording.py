"""The words several formats share: a status, "hint", the score line with its tally, points."""

from __future__ import annotations

from collections import Counter

from grader.i18n import Lang, t
from grader.report.models import Report, Status

STATUS_WORD = {
    Status.PASSED: t("passed", "réussi"),
    Status.FAILED: t("failed", "échoué"),
    Status.SKIPPED: t("skipped", "ignoré"),
    Status.ERROR: t("error", "erreur"),
}
HINT = t("hint", "conseil")
SCORE = t("Score", "Note")
UNDECIDED = t(
    "Some checks could not be decided by the grader (error): ask your teacher to look at them.",
    "Le correcteur n'a pas pu trancher certaines vérifications (erreur) : "
    "demandez à votre enseignant de les examiner.",
)


def points(value: float) -> str:
    """``4.0`` -> ``4``, ``2.5`` -> ``2.5``."""
    return f"{value:g}"


def status_counts(report: Report) -> Counter:
    return Counter(check.status for e in report.exercises for check in e.checks)


def score_line(report: Report, lang: Lang) -> str:
    """``Score: 4 / 6 (passed: 3, failed: 1)``."""
    counts = status_counts(report)
    tally = ", ".join(
        f"{STATUS_WORD[status].render(lang)}: {counts[status]}"
        for status in Status
        if counts[status]
    )
    return f"{SCORE.render(lang)}: {points(report.score)} / {points(report.max_score)}" + (
        f" ({tally})" if tally else ""
    )
