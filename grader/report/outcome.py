"""How one check ended, as the grading hands it to scoring: its status, message in the
report's language, and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.report.models import Status


@dataclass
class Outcome:
    status: Status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
