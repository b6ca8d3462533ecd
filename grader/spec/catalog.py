"""All the exercises known, in course order, and the selection a command asks for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import SpecError, UsageError
from grader.resources import exercises_dir
from grader.spec.loader import load_exercise
from grader.spec.models import ExerciseSpec


@dataclass(frozen=True)
class Assignment:
    """An exercise to grade, with its params resolved (defaults, then ``--set``)."""

    spec: ExerciseSpec
    params: dict[str, Any]


class Catalog:
    def __init__(self, exercises: list[ExerciseSpec]):
        self.exercises = sorted(exercises, key=lambda spec: spec.number)
        self._by_id = {spec.id: spec for spec in self.exercises}

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalog:
        folder = folder or exercises_dir()
        paths = sorted(folder.glob("*.yaml"))
        if not paths:
            raise SpecError(f"{folder}: no exercise spec (*.yaml) found")
        return cls([load_exercise(path) for path in paths])

    def get(self, exercise_id: str) -> ExerciseSpec:
        try:
            return self._by_id[exercise_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise UsageError(f"unknown exercise '{exercise_id}' (known: {known})") from None

    def assign(self, exercise_ids: list[str], settings: list[str]) -> list[Assignment]:
        """The selected exercises (all when none is named) with ``NAME=VALUE`` settings applied.

        A plain ``name=value`` sets that param in every selected exercise that has it;
        ``exercise.name=value`` sets it in one exercise only.
        """
        specs = [self.get(exercise_id) for exercise_id in dict.fromkeys(exercise_ids)]
        specs = specs or self.exercises
        params = {spec.id: {p.name: p.default for p in spec.params} for spec in specs}
        for setting in settings:
            _apply(setting, specs, params)
        return [Assignment(spec, params[spec.id]) for spec in specs]


def _apply(setting: str, specs: list[ExerciseSpec], params: dict[str, dict]) -> None:
    name, separator, raw = setting.partition("=")
    if not separator or not name:
        raise UsageError(f"--set {setting!r}: expected NAME=VALUE")
    scope, _, name = name.rpartition(".")
    targets = [spec for spec in specs if spec.param(name) and scope in ("", spec.id)]
    if not targets:
        raise UsageError(f"--set {setting!r}: no selected exercise has a param '{name}'")
    for spec in targets:
        try:
            params[spec.id][name] = spec.param(name).parse(raw)
        except ValueError as error:
            raise UsageError(f"--set {setting!r}: {error}") from None
