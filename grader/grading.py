"""One grading: a snapshot of the engine, the checks run against it, a scored report."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from datetime import datetime, timezone

from grader import __version__
from grader.engine.client import Engine, translate_engine_errors
from grader.engine.defaults import DEFAULT_PROBE_IMAGE
from grader.engine.snapshot import Snapshot
from grader.i18n import Lang
from grader.kit.context import GradingContext
from grader.probes import ProbeRunner
from grader.report.models import Host, Report, Student, Tool
from grader.report.scoring import score_exercise
from grader.runner.session import run_checks
from grader.spec.catalog import Assignment

log = logging.getLogger("docker_grade")


def grade(
    *,
    engine: Engine,
    assignments: list[Assignment],
    lang: Lang,
    student_id: str | None = None,
    probe_image: str = DEFAULT_PROBE_IMAGE,
) -> Report:
    started_at, started = datetime.now(timezone.utc), time.monotonic()
    with translate_engine_errors(engine.host.docker_host):
        snapshot = Snapshot.take(engine)
        with ProbeRunner(engine, image=probe_image) as probes:
            removed = probes.remove_stale()
            if removed:
                log.warning(
                    "removed %d probe container(s) left by a grader that was stopped", removed
                )
            outcomes = run_checks(GradingContext(snapshot, probes, lang, assignments))
            probe_image_identity = probes.identity()
    exercises = [score_exercise(a.spec, outcomes, lang, a.params) for a in assignments]
    return Report(
        tool=Tool(name="docker-grade", version=__version__),
        student=Student(id=student_id),
        host=Host(**asdict(engine.host), probe_image=probe_image_identity),
        started_at=started_at,
        duration_s=round(time.monotonic() - started, 3),
        score=sum(e.score for e in exercises),
        max_score=sum(e.max_score for e in exercises),
        exercises=exercises,
    )
