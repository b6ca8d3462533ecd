"""Scores computed again from the statuses a report stores, with today's weights and
``requires``: a weight changed after grading needs no student's host again.

A check's status is what was observed and stays; what changes is its points, and a check whose
prerequisite (as the spec says today) did not pass becomes ``skipped``. A report that names an
exercise or a check the specs no longer have, or lacks one they now have, cannot be rescored
(grade again).
"""

from __future__ import annotations

from grader.errors import UsageError
from grader.i18n import Lang, t
from grader.report.models import SCHEMA_VERSION, CheckResult, ExerciseResult, Report, Status
from grader.spec.models import ExerciseSpec

_REQUIRES = t(
    "skipped: the prerequisite check '{check}' did not pass",
    "ignoré : la vérification préalable « {check} » n'a pas réussi",
)


def check_schema(data: dict, source: str) -> None:
    """A report of another major schema version is refused, naming it."""
    version = str(data.get("schema_version", "?"))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise UsageError(
            f"{source}: a report of schema {version}, this docker-grade reads {SCHEMA_VERSION} "
            "(grade again, or rescore with the docker-grade that wrote it)"
        )


def rescore(report: Report, specs: dict[str, ExerciseSpec], lang: Lang, source: str) -> Report:
    exercises = [_exercise(e, specs.get(e.id), lang, source) for e in report.exercises]
    return report.model_copy(
        update={
            "exercises": exercises,
            "score": sum(e.score for e in exercises),
            "max_score": sum(e.max_score for e in exercises),
        }
    )


def _exercise(
    result: ExerciseResult, spec: ExerciseSpec | None, lang: Lang, source: str
) -> ExerciseResult:
    if spec is None:
        raise UsageError(f"{source}: exercise '{result.id}' no longer exists: grade again")
    stored = {check.id: check for check in result.checks}
    gone = sorted(set(stored) - {c.id for c in spec.checks})
    new = [c.id for c in spec.checks if c.id not in stored]
    if gone or new:
        what = (
            (f"check(s) {', '.join(gone)} no longer exist" if gone else "")
            + ("; " if gone and new else "")
            + (f"check(s) {', '.join(new)} are new" if new else "")
        )
        raise UsageError(f"{source}: {result.id}: {what}: grade again")
    checks: list[CheckResult] = []
    for check_spec in spec.checks:
        check = stored[check_spec.id]
        passed = {c.id for c in checks if c.status is Status.PASSED}
        missing = [r for r in check_spec.requires if r not in passed]
        if check.status is Status.SKIPPED and not missing:
            # it was never run, for a prerequisite today's spec no longer has (or that now
            # passes): what it would say is unknown
            raise UsageError(
                f"{source}: {result.id}/{check.id} was skipped, and today's requires would run "
                "it: grade again"
            )
        if missing:
            message = _REQUIRES.format(check=missing[0]).render(lang)
            check = check.model_copy(update={"status": Status.SKIPPED, "message": message})
        if check.status is not Status.PASSED and check.hint is None:
            check = check.model_copy(
                update={"hint": check_spec.hint.fill(spec.defaults).render(lang)}
            )
        weight = float(check_spec.weight)
        score = weight if check.status is Status.PASSED else 0.0
        checks.append(check.model_copy(update={"score": score, "max_score": weight}))
    return result.model_copy(
        update={
            "checks": checks,
            "score": sum(c.score for c in checks),
            "max_score": float(spec.max_score),
        }
    )
