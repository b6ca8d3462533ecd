"""The fixtures a check function asks for by name, besides those its own module defines.

They exist only inside a grading (the grader registers this module as a pytest plugin):

- ``snapshot``: the engine's state, read once when the grading started (:class:`Snapshot`).
- ``probes``: the runner of probe containers (:class:`ProbeRunner`); equal probes run once.
- ``params``: the exercise's params, defaults overridden by ``--set`` or the roster.
- ``lang``: ``"en"`` or ``"fr"``, the language of the report.
- ``verdict``: the check's notes: ``verdict.evidence(...)`` and ``verdict.note(...)``.

A module's own fixtures are plain pytest fixtures (``kit.fixture``):

>>> @fixture(scope="module")                                       # doctest: +SKIP
... def network(snapshot, params):
...     return snapshot.network(params["network"])
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.kit.context import GradingContext

fixture = pytest.fixture

#: Where the runner puts the grading's context: ``config.stash[CONTEXT]``.
CONTEXT = pytest.StashKey["GradingContext"]()

NAMES = ("snapshot", "probes", "params", "lang", "verdict")


def exercise_of(module_path: str | Path) -> str:
    """The exercise a check module grades, from its file name.

    >>> exercise_of("checks/custom_bridge.py")
    'custom-bridge'
    """
    return Path(module_path).stem.replace("_", "-")


def _context(request: pytest.FixtureRequest) -> GradingContext:
    return request.config.stash[CONTEXT]


@pytest.fixture(scope="session")
def snapshot(request):
    """The engine's containers, networks, images and volumes, read once at the start."""
    return _context(request).snapshot


@pytest.fixture(scope="session")
def probes(request):
    """Runs probe containers of the trusted image (``probes.run(ping(...))``)."""
    return _context(request).probes


@pytest.fixture(scope="session")
def lang(request) -> str:
    """The report's language, for a text built outside ``t(...)``."""
    return _context(request).lang


@pytest.fixture(scope="module")
def params(request) -> dict[str, Any]:
    """The exercise's params by name (``params["subnet"]``): the spec's defaults, then the
    ``--set`` values and the roster's ``set`` column."""
    return _context(request).assignment(exercise_of(request.module.__file__)).params


@pytest.fixture
def verdict(request):
    """The check's notes: ``verdict.evidence(network=...)`` records what was looked at,
    ``verdict.note(t(...))`` replaces the "as expected" message of a passed check."""
    return request.node.verdict
