"""One grading: a snapshot of the engine, the checks run against it, a scored report."""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from grader import __version__
from grader.engine.client import Engine, translate_engine_errors
from grader.engine.defaults import DEFAULT_PROBE_IMAGE
from grader.engine.snapshot import Snapshot
from grader.errors import UsageError
from grader.i18n import Lang
from grader.kit.context import GradingContext
from grader.probes import FolderUnavailable, ProbeRunner
from grader.report.models import Host, Report, Student, Tool
from grader.report.scoring import score_exercise
from grader.runner.session import run_checks
from grader.spec.catalog import Assignment
from grader.spec.folders import StudentFolder

log = logging.getLogger("docker_grade")


@contextlib.contextmanager
def _local_copy(folder: StudentFolder | None, probes: ProbeRunner) -> Iterator[Path | None]:
    """The student's folder on this machine: itself, or a copy of the one on the engine's host
    (read through a probe, removed after the grading)."""
    if folder is None or not folder.on_engine:
        yield Path(folder.path) if folder else None
        return
    with tempfile.TemporaryDirectory(prefix="docker-grade-folder-") as scratch:
        try:
            probes.copy_host_folder(folder.path, Path(scratch))
        except FolderUnavailable as error:
            raise UsageError(str(error)) from None
        yield Path(scratch)


def grade(
    *,
    engine: Engine,
    assignments: list[Assignment],
    lang: Lang,
    student_id: str | None = None,
    probe_image: str = DEFAULT_PROBE_IMAGE,
    folder: StudentFolder | None = None,
    probes: ProbeRunner | None = None,
) -> Report:
    """Grades ``assignments`` on ``engine``; the files they read are in ``folder`` (the current
    folder when None), which may be on the engine's host. ``probes``: a ProbeRunner of the
    caller's, made early so that its resident container starts meanwhile (the caller closes
    it); else one of the grading's own."""
    started_at, started = datetime.now(timezone.utc), time.monotonic()
    with translate_engine_errors(engine.host.docker_host):
        snapshot = Snapshot.take(engine)
        # made right before its `with` (after the snapshot): an interruption removes its
        # resident container
        own = ProbeRunner(engine, image=probe_image) if probes is None else None
        with own or contextlib.nullcontext(probes) as probes:
            removed = probes.remove_stale()
            if removed:
                log.warning(
                    "removed %d probe container(s) left by a grader that was stopped", removed
                )
            with _local_copy(folder, probes) as local:
                graded = [a.in_folder(local) if local else a for a in assignments]
                outcomes = run_checks(GradingContext(snapshot, probes, lang, graded))
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
