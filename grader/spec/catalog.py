"""All the exercises known, from every pack, in course order, and the selection a command asks
for. A spec that does not load leaves out that exercise only: it is reported once, and the
others are graded."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.errors import SpecError, UsageError
from grader.spec.loader import load_exercise
from grader.spec.models import ExerciseSpec
from grader.spec.packs import Pack, packs
from grader.spec.params import PathParam

log = logging.getLogger("docker_grade")


@dataclass(frozen=True)
class Assignment:
    """An exercise to grade, with its params resolved (defaults, then ``--set``)."""

    spec: ExerciseSpec
    params: dict[str, Any]
    pack: Pack | None = None

    @property
    def check_module(self) -> Path:
        return self.pack.check_module(self.spec.id)

    @property
    def may_probe(self) -> bool:
        """Whether its check module declares a probe plan, read as text before pytest imports
        it: this only decides whether the probe container starts early."""
        try:
            return "probe_plan" in self.check_module.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False

    def in_folder(self, folder: Path) -> Assignment:
        """The same assignment with its relative ``path`` params read from ``folder`` (the
        student's), not from the current folder."""
        params = dict(self.params)
        for param in self.spec.params:
            value = params.get(param.name)
            if (
                isinstance(param, PathParam)
                and value
                and not Path(value).expanduser().is_absolute()
            ):
                params[param.name] = str(folder / value)
        return replace(self, params=params)


@dataclass
class Catalog:
    exercises: list[ExerciseSpec]
    origins: dict[str, Pack] = field(default_factory=dict)  # exercise id -> its pack
    broken: dict[str, str] = field(default_factory=dict)  # file stem -> why it does not load

    def __post_init__(self) -> None:
        self.exercises = sorted(self.exercises, key=lambda spec: (spec.number, spec.id))
        self._by_id = {spec.id: spec for spec in self.exercises}

    @classmethod
    def load(
        cls, extra_packs: tuple[Path, ...] | list[Path] = (), *, quiet: bool = False
    ) -> Catalog:
        """Every pack's exercises, a later pack's replacing an earlier one's of the same id.
        Broken specs are logged once as warnings unless ``quiet``."""
        specs: dict[str, ExerciseSpec] = {}
        origins: dict[str, Pack] = {}
        broken: dict[str, str] = {}
        for pack in packs(extra_packs):
            for path in pack.spec_paths():
                try:
                    spec = load_exercise(path)
                except SpecError as error:
                    broken[path.stem] = error.message
                    specs.pop(path.stem, None)
                    continue
                broken.pop(spec.id, None)
                specs[spec.id], origins[spec.id] = spec, pack
        if not specs:
            raise SpecError(next(iter(broken.values()), "no exercise spec (*.yaml) found"))
        if not quiet:
            for message in broken.values():
                log.warning("%s (this exercise is left out)", message)
        return cls(list(specs.values()), origins, broken)

    def get(self, exercise_id: str) -> ExerciseSpec:
        if exercise_id in self.broken:
            raise SpecError(self.broken[exercise_id])
        try:
            return self._by_id[exercise_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise UsageError(f"unknown exercise '{exercise_id}' (known: {known})") from None

    def pack_of(self, exercise_id: str) -> Pack | None:
        return self.origins.get(exercise_id)

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
        return [Assignment(spec, params[spec.id], self.pack_of(spec.id)) for spec in specs]


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
