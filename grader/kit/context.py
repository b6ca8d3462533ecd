"""What every check of a run shares: the snapshot, the probes, the language, the params."""

from __future__ import annotations

from dataclasses import dataclass

from grader.engine.snapshot import Snapshot
from grader.i18n import Lang
from grader.probes import ProbeRunner
from grader.spec.catalog import Assignment


@dataclass
class GradingContext:
    snapshot: Snapshot
    probes: ProbeRunner
    lang: Lang
    assignments: list[Assignment]

    def assignment(self, exercise_id: str) -> Assignment:
        return next(a for a in self.assignments if a.spec.id == exercise_id)
