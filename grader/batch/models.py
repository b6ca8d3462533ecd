"""A class's results as data: one row per roster line, graded or not (and why not)."""

from __future__ import annotations

from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict

from grader.report.models import Report


class RowStatus(str, Enum):
    GRADED = "graded"
    UNGRADABLE = "ungradable"  # the engine could not be reached or used, or grading timed out


class StudentRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: str
    name: str = ""
    docker_host: str
    status: RowStatus
    reason: Optional[str] = None  # why the student could not be graded
    report: Optional[Report] = None  # present when graded
    duration_s: float = 0.0


class ClassResult(BaseModel):
    """Every roster line in roster order, and the exercises graded (ids and titles, in order)."""

    model_config = ConfigDict(extra="forbid")

    rows: list[StudentRow]
    exercise_ids: list[str]

    @property
    def graded(self) -> list[StudentRow]:
        return [row for row in self.rows if row.status is RowStatus.GRADED]
