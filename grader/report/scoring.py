"""From the checks' outcomes to scored results: full weight when passed, zero otherwise."""

from __future__ import annotations

from grader.i18n import Lang, t
from grader.report.models import CheckResult, ExerciseResult, Status
from grader.report.outcome import Outcome
from grader.spec.models import CheckSpec, ExerciseSpec

_NOT_IMPLEMENTED = t(
    "no check function implements this check",
    "aucune fonction de vérification n'implémente ce contrôle",
)


def score_exercise(
    spec: ExerciseSpec,
    outcomes: dict[tuple[str, str], Outcome],
    lang: Lang,
    params: dict | None = None,
) -> ExerciseResult:
    params = params if params is not None else spec.defaults
    checks = [
        _score_check(check, outcomes.get((spec.id, check.id)), lang, params)
        for check in spec.checks
    ]
    return ExerciseResult(
        id=spec.id,
        title=spec.title.fill(params).render(lang),
        score=sum(check.score for check in checks),
        max_score=spec.max_score,
        checks=checks,
    )


def _score_check(spec: CheckSpec, outcome: Outcome | None, lang: Lang, params: dict) -> CheckResult:
    outcome = outcome or Outcome(Status.ERROR, _NOT_IMPLEMENTED.render(lang))
    passed = outcome.status is Status.PASSED
    return CheckResult(
        id=spec.id,
        title=spec.title.fill(params).render(lang),
        status=outcome.status,
        score=float(spec.weight) if passed else 0.0,
        max_score=float(spec.weight),
        message=outcome.message,
        hint=None if passed else spec.hint.fill(params).render(lang),
        evidence=outcome.evidence,
        duration_s=round(outcome.duration_s, 3),
    )
