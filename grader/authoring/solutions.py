"""A pack's reference solution and typical mistakes for an exercise.

``solutions/<id>/solution.sh`` must score full marks. ``solutions/<id>/mistakes/NAME.sh``
states in its header the statuses it must get, one check per line::

    # expect: network-subnet: failed
    # expect: network-exists: passed

Checks a mistake does not name are not constrained. A mistake that only some engines make
says which (``docker`` or ``podman``)::

    # engines: docker

Elsewhere selftest skips it, saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.report.models import Status
from grader.spec.packs import Pack

_EXPECT = re.compile(r"^#\s*expect:\s*(?P<check>\S+?)\s*[:=]\s*(?P<status>\S+)\s*$")
_ENGINES = re.compile(r"^#\s*engines:\s*(?P<products>[\w ,]+?)\s*$")
PRODUCTS = ("docker", "podman")


class ScriptError(Exception):
    """A mistake's header that cannot be read: the message starts with file:line."""


@dataclass(frozen=True)
class Script:
    name: str  # "solution", or the mistake's file name without .sh
    path: Path
    expected: dict[str, Status]  # check id -> status; empty for the solution (all passed)
    lines: dict[str, int]  # check id -> the header line that names it

    is_solution: bool = False
    engines: tuple[str, ...] = ()  # the products it is a mistake on; () for every one


def solution(pack: Pack, exercise_id: str) -> Script | None:
    path = pack.solution_dir(exercise_id) / "solution.sh"
    return Script("solution", path, {}, {}, is_solution=True) if path.is_file() else None


def mistakes(pack: Pack, exercise_id: str) -> list[Script]:
    folder = pack.solution_dir(exercise_id) / "mistakes"
    return [read_mistake(path) for path in sorted(folder.glob("*.sh"))]


def read_mistake(path: Path) -> Script:
    """The statuses a mistake's header expects.

    Raises ScriptError for a status that does not exist, or a header that expects nothing.
    """
    expected: dict[str, Status] = {}
    lines: dict[str, int] = {}
    engines: tuple[str, ...] = ()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if named := _ENGINES.match(line.strip()):
            engines = tuple(named["products"].replace(",", " ").split())
            if unknown := [e for e in engines if e not in PRODUCTS]:
                raise ScriptError(
                    f"{path}:{number}: unknown engine {unknown[0]!r} (one of: "
                    f"{', '.join(PRODUCTS)})"
                )
        match = _EXPECT.match(line.strip())
        if not match:
            continue
        try:
            status = Status(match["status"])
        except ValueError:
            raise ScriptError(
                f"{path}:{number}: unknown status {match['status']!r} (one of: "
                f"{', '.join(s.value for s in Status)})"
            ) from None
        expected[match["check"]], lines[match["check"]] = status, number
    if not expected:
        raise ScriptError(
            f"{path}:1: a mistake states what it must get, e.g. '# expect: network-subnet: failed'"
        )
    return Script(path.stem, path, expected, lines, engines=engines)
