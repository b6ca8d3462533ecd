"""A small report with every status, for the exporters' tests."""

from datetime import datetime, timezone

from grader.report.models import CheckResult, ExerciseResult, Host, Report, Status, Student, Tool


def check(check_id: str, status: Status, weight: float = 1.0) -> CheckResult:
    passed = status is Status.PASSED
    return CheckResult(
        id=check_id,
        title=f"title of {check_id}",
        status=status,
        score=weight if passed else 0.0,
        max_score=weight,
        message=f"message of {check_id}",
        hint=None if passed else f"hint for {check_id}",
        evidence={"container": "mynginx (0123456789ab)"},
        duration_s=0.25,
    )


def sample_report(student_id: str | None = "alice") -> Report:
    exercises = [
        ExerciseResult(
            id="custom-bridge",
            title="A bridge network",
            score=2.0,
            max_score=4.0,
            checks=[
                check("network-exists", Status.PASSED),
                check("network-subnet", Status.FAILED),
                check("container-attached", Status.PASSED),
                check("container-detached-tty", Status.SKIPPED),
            ],
        ),
        ExerciseResult(
            id="network-isolation",
            title="Isolation",
            score=0.0,
            max_score=2.0,
            checks=[check("b-cannot-reach-a", Status.ERROR, weight=2.0)],
        ),
    ]
    return Report(
        tool=Tool(name="docker-grade", version="0.1.0"),
        student=Student(id=student_id),
        host=Host(
            docker_host="unix:///var/run/docker.sock",
            engine_version="20.10.24",
            api_version="1.41",
            os="Debian GNU/Linux 12",
            engine_id="ABCD",
        ),
        started_at=datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc),
        duration_s=1.5,
        score=2.0,
        max_score=6.0,
        exercises=exercises,
    )


def course_report(
    statuses: dict[str, dict[str, str]], student_id: str | None = None, message: str = ""
) -> Report:
    """A report of the course's real exercises and checks (the built-in catalog), each check
    with the status given (``passed`` where not given) and ``message`` as its message."""
    from grader.spec.catalog import Catalog

    catalog = Catalog.load((), quiet=True)
    exercises = []
    for exercise_id, asked in statuses.items():
        spec = catalog.get(exercise_id)
        checks = [
            check(c.id, Status(asked.get(c.id, "passed")), c.weight).model_copy(
                update={"title": c.title.en, "message": message or f"message of {c.id}"}
            )
            for c in spec.checks
        ]
        exercises.append(
            ExerciseResult(
                id=spec.id,
                title=spec.title.en,
                score=sum(c.score for c in checks),
                max_score=spec.max_score,
                checks=checks,
            )
        )
    base = sample_report(student_id)
    return base.model_copy(
        update={
            "exercises": exercises,
            "score": sum(e.score for e in exercises),
            "max_score": sum(e.max_score for e in exercises),
        }
    )
