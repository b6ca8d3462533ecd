"""What the server knows of the course: the exercises of its catalog, in course order, with
their checks' titles and hints in both languages. Gradings are validated against it and the
board is laid out by it.

>>> outline = CourseOutline.of(Catalog.load(()))                 # doctest: +SKIP
>>> outline.first_failing({"custom-bridge": summary(result)})   # doctest: +SKIP
'custom-bridge/network-subnet'
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.i18n import Localized
from grader.report.models import ExerciseResult, Report, Status, Student
from grader.spec.catalog import Catalog

# what the student has to do next, as watch shows it
FAILING = (Status.FAILED.value, Status.ERROR.value)


@dataclass(frozen=True)
class CheckOutline:
    id: str
    title: Localized
    hint: Localized


@dataclass(frozen=True)
class ExerciseOutline:
    id: str
    title: Localized
    max_score: float
    checks: tuple[CheckOutline, ...]


@dataclass(frozen=True)
class CourseOutline:
    exercises: tuple[ExerciseOutline, ...]

    @classmethod
    def of(cls, catalog: Catalog) -> CourseOutline:
        exercises = []
        for spec in catalog.exercises:
            defaults = spec.defaults
            checks = tuple(
                CheckOutline(c.id, c.title.fill(defaults), c.hint.fill(defaults))
                for c in spec.checks
            )
            exercises.append(
                ExerciseOutline(spec.id, spec.title.fill(defaults), spec.max_score, checks)
            )
        return cls(tuple(exercises))

    def exercise(self, exercise_id: str) -> ExerciseOutline | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def unknown_in(self, report: Report) -> str | None:
        """Why this server cannot take the report (an exercise or check it does not grade),
        or None."""
        for result in report.exercises:
            outline = self.exercise(result.id)
            if outline is None:
                return f"exercise {result.id!r} is not one this class server grades"
            known = {check.id for check in outline.checks}
            unknown = [check.id for check in result.checks if check.id not in known]
            if unknown:
                return f"exercise {result.id!r} has no check {unknown[0]!r} on this server"
        return None

    def first_failing(self, summaries: dict[str, dict]) -> str | None:
        """``exercise/check`` of the first check to fix, in course order, from the exercises'
        summaries (``{"checks": {check: status}}``)."""
        for exercise in self.exercises:
            statuses = summaries.get(exercise.id, {}).get("checks", {})
            for check in exercise.checks:
                if statuses.get(check.id) in FAILING:
                    return f"{exercise.id}/{check.id}"
        return None


def summary(result: ExerciseResult) -> dict:
    """What the board shows of an exercise's result."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "checks": {check.id: check.status.value for check in result.checks},
    }


def merged_report(
    latest: Report, results: dict[str, ExerciseResult], outline: CourseOutline, student_id: str
) -> Report:
    """The latest grading, with the latest result of every exercise, in course order."""
    ordered = [results[e.id] for e in outline.exercises if e.id in results]
    return latest.model_copy(
        update={
            "student": Student(id=student_id),
            "exercises": ordered,
            "score": sum(r.score for r in ordered),
            "max_score": sum(r.max_score for r in ordered),
        }
    )
