"""Exercise packs: where exercises come from.

A pack is a folder laid out as this repository's top level::

    my-pack/
      exercises/<id>.yaml              the spec: statement, params, checks with weights
      checks/<id_with_underscores>.py  the check functions, written with grader.kit
      solutions/<id>/solution.sh       the reference solution (docker-grade selftest)
      solutions/<id>/mistakes/*.sh     typical mistakes, with the statuses they must get

The built-in pack (the course's eight exercises) comes first, then the packs installed with
pip (entry-point group ``docker_grade.exercises``, naming a module or package whose folder is
the pack), then ``DOCKER_GRADE_EXERCISES`` (folders separated by the OS path separator),
then each ``--exercises DIR``. A later pack's exercise with an id already known replaces it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from grader.errors import UsageError
from grader.resources import builtin_pack_dir

log = logging.getLogger("docker_grade")

ENTRY_POINT_GROUP = "docker_grade.exercises"
ENVIRONMENT_VARIABLE = "DOCKER_GRADE_EXERCISES"
BUILTIN = "built-in"


@dataclass(frozen=True)
class Pack:
    """A folder of exercises; ``origin`` says where it was named (for ``list``)."""

    root: Path
    origin: str

    @property
    def specs_dir(self) -> Path:
        return self.root / "exercises"

    def spec_paths(self) -> list[Path]:
        return sorted(self.specs_dir.glob("*.yaml"))

    def check_module(self, exercise_id: str) -> Path:
        """``custom-bridge`` is checked by ``checks/custom_bridge.py``."""
        return self.root / "checks" / f"{exercise_id.replace('-', '_')}.py"

    def solution_dir(self, exercise_id: str) -> Path:
        return self.root / "solutions" / exercise_id


def packs(extra: tuple[Path, ...] | list[Path] = (), *, environ=os.environ) -> list[Pack]:
    """Every pack, in the order in which a later one overrides an earlier one."""
    found = [Pack(builtin_pack_dir(), BUILTIN)]
    found += _installed()
    named = [p for p in environ.get(ENVIRONMENT_VARIABLE, "").split(os.pathsep) if p.strip()]
    found += [pack_at(Path(p), ENVIRONMENT_VARIABLE) for p in named]
    found += [pack_at(Path(p), "--exercises") for p in extra]
    return found


def pack_at(path: Path, named_by: str) -> Pack:
    """The pack in folder ``path``; a usage error naming ``named_by`` when it is not one."""
    root = path.expanduser().resolve()
    if not (root / "exercises").is_dir():
        raise UsageError(
            f"{named_by} {path}: not an exercise pack (no exercises/ folder in it; "
            "docker-grade new ID --dir DIR makes one)"
        )
    return Pack(root, str(root))


def _folder_of(target) -> Path:
    """An entry point's pack folder: a package's (a namespace package has no __file__), a
    module's, or a path it names."""
    if isinstance(target, (str, Path)):
        return Path(target)
    location = getattr(target, "__file__", None)
    if location:
        return Path(location).parent
    return Path(list(target.__path__)[0])


def _installed() -> list[Pack]:
    found = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            found.append(Pack(_folder_of(entry.load()), f"pip: {entry.name}"))
        except Exception as error:  # a broken pack must not stop the others
            log.warning(
                "the installed exercise pack '%s' (%s) cannot be loaded, left out: %s",
                entry.name,
                entry.value,
                error,
            )
    return found
