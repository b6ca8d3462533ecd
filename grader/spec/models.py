"""The exercise spec (``exercises/<id>.yaml``), validated with unknown keys rejected."""

from __future__ import annotations

import sys
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grader.i18n import Localized
from grader.spec.params import ParamSpec

_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class CheckSpec(BaseModel):
    """One rubric line: its stable id, weight, texts and the checks it needs to pass first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    weight: float = Field(gt=0)
    title: Localized
    hint: Localized
    requires: tuple[str, ...] = ()


EngineObject = Literal["container", "network", "image", "volume"]


class WatchSpec(BaseModel):
    """What makes ``docker-grade watch`` grade the exercise again: the engine's events about
    these kinds of objects, and (``files``) a change in the student's folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: tuple[EngineObject, ...] = ("container", "network", "image", "volume")
    files: bool = False


class ExerciseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    number: int = Field(ge=1, description="the exercise's place in the course")
    title: Localized
    statement: Localized
    params: tuple[ParamSpec, ...] = ()
    checks: tuple[CheckSpec, ...] = Field(min_length=1)
    watch: WatchSpec = WatchSpec()

    @field_validator("id")
    @classmethod
    def _module_name_is_free(cls, exercise_id: str) -> str:
        """The check module is imported under its file name: one that names a module Python
        already has (``logging``, ``secrets``, ``docker``) would be that module instead."""
        if taken_module_name(exercise_id):
            raise ValueError(
                f"{exercise_id!r} is the name of a Python module: choose another id "
                f"(e.g. {exercise_id}-lab)"
            )
        return exercise_id

    @model_validator(mode="after")
    def _texts_are_complete(self) -> ExerciseSpec:
        """Both problems a text can have, reported together."""
        problems = [p for p in (self._blank_texts(), self._unknown_placeholders()) if p]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _blank_texts(self) -> str | None:
        """Every text has its English and its French: a blank one would reach a student."""
        texts = {"title": self.title, "statement": self.statement}
        texts.update(
            {
                f"checks.{c.id}.{kind}": getattr(c, kind)
                for c in self.checks
                for kind in ("title", "hint")
            }
        )
        texts.update({f"params.{p.name}.description": p.description for p in self.params})
        blank = [
            f"{where}.{lang}"
            for where, text in texts.items()
            for lang in ("en", "fr")
            if not getattr(text, lang).strip()
        ]
        return f"empty text(s): {', '.join(blank)} (write both en and fr)" if blank else None

    def _unknown_placeholders(self) -> str | None:
        """``{host_port}`` in a text must be a param of the exercise (caught at load, not when
        a student reads a broken hint)."""
        known = {param.name for param in self.params}
        texts = [self.title, self.statement] + [x for c in self.checks for x in (c.title, c.hint)]
        unknown = sorted({name for text in texts for name in text.placeholders()} - known)
        if unknown:
            return (
                f"unknown placeholder(s) {', '.join(unknown)} (params: "
                f"{', '.join(sorted(known)) or 'none'})"
            )
        return None

    @field_validator("params")
    @classmethod
    def _param_names_are_unique(cls, params: tuple) -> tuple:
        _unique("param", [param.name for param in params])
        return params

    @field_validator("checks")
    @classmethod
    def _ids_are_unique_and_requirements_come_first(cls, checks: tuple) -> tuple:
        _unique("check", [check.id for check in checks])
        ids = {check.id for check in checks}
        seen: set[str] = set()
        for check in checks:
            for required in check.requires:
                if required not in ids:
                    raise ValueError(
                        f"check {check.id!r} requires {required!r}, which is not a "
                        f"check of this exercise"
                    )
                if required not in seen:  # a check listed later: the order makes cycles impossible
                    raise ValueError(
                        f"check {check.id!r} requires {required!r}, which is listed "
                        "after it: list prerequisites first (this also rules out "
                        "cycles)"
                    )
            seen.add(check.id)
        return checks

    @property
    def defaults(self) -> dict:
        return {param.name: param.default for param in self.params}

    @property
    def max_score(self) -> float:
        return float(sum(check.weight for check in self.checks))

    def check(self, check_id: str) -> CheckSpec:
        return next(check for check in self.checks if check.id == check_id)

    def find_check(self, check_id: str | None) -> CheckSpec | None:
        return next((check for check in self.checks if check.id == check_id), None)

    def param(self, name: str) -> ParamSpec | None:
        return next((param for param in self.params if param.name == name), None)


# What a grading imports before the check modules (and their own imports): a check module of
# one of these names would be that module instead
_GRADING_MODULES = frozenset(
    (
        "docker",
        "pytest",
        "_pytest",
        "pluggy",
        "yaml",
        "pydantic",
        "pydantic_core",
        "click",
        "rich",
        "jinja2",
        "markupsafe",
        "requests",
        "urllib3",
        "paramiko",
        "dockerfile_parse",
        "watchfiles",
        "grader",
        "typing_extensions",
        "iniconfig",
        "packaging",
        "idna",
        "certifi",
        "charset_normalizer",
    )
)


def taken_module_name(exercise_id: str) -> bool:
    """Whether the check module's name (the id, dashes as underscores) is that of a standard
    module, or of one a grading has imported, which pytest would use in its place."""
    module = exercise_id.replace("-", "_")
    return module in sys.stdlib_module_names or module in _GRADING_MODULES or module in sys.modules


def _unique(kind: str, names: list[str]) -> None:
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate {kind} id(s): {', '.join(duplicates)}")
