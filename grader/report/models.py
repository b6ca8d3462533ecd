"""The report: what ``check --format json`` writes and LMS integrations read.

Its shape is a contract (see ``docker-grade schema``); ``SCHEMA_VERSION`` changes with it.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.2"  # 1.1: host.probe_image; 1.2: host.chosen_by, host.context


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"  # a prerequisite did not pass; the message names it
    ERROR = "error"  # the grader could not decide; the message says why


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckResult(_Model):
    id: str
    title: str
    status: Status
    score: float
    max_score: float = Field(description="the check's weight in the rubric")
    message: str = Field(description="what was expected and what was found")
    hint: Optional[str] = Field(description="how to fix it; null when the check passed")
    evidence: dict[str, Any] = Field(description="what was looked at (containers, networks...)")
    duration_s: float


class ExerciseResult(_Model):
    id: str
    title: str
    score: float
    max_score: float
    checks: list[CheckResult]


class Tool(_Model):
    name: str
    version: str


class Student(_Model):
    id: Optional[str]


class ProbeImage(_Model):
    """The image the probes ran in, so that an instructor can tell it is the genuine one: an
    image pulled from a registry has digests, one built or retagged locally has none."""

    reference: str
    id: str
    digests: list[str]


class ChosenBy(str, Enum):
    """How the graded engine was chosen, in the docker CLI's order."""

    OPTION = "option"  # --docker-host
    ENV = "env"  # DOCKER_HOST
    CONTEXT = "context"  # a docker CLI context: --context, DOCKER_CONTEXT or the current one
    DEFAULT = "default"  # the platform's socket


class Host(_Model):
    docker_host: str
    chosen_by: Optional[ChosenBy] = Field(
        default=None, description="how the engine was chosen (absent before schema 1.2)"
    )
    context: Optional[str] = Field(
        default=None, description="the docker CLI context used, when one was"
    )
    engine_version: str
    api_version: str
    os: str
    engine_id: str
    product: Literal["docker", "podman"] = Field(
        default="docker", description="the engine behind the Docker API: podman answers it too"
    )
    probe_image: Optional[ProbeImage] = Field(
        default=None, description="absent when no probe ran or the image was missing"
    )


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    tool: Tool
    student: Student
    host: Host
    started_at: datetime = Field(description="ISO 8601, UTC")
    duration_s: float
    score: float
    max_score: float
    exercises: list[ExerciseResult]

    @property
    def all_passed(self) -> bool:
        return all(c.status is Status.PASSED for e in self.exercises for c in e.checks)
