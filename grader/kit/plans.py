"""Probes a check module plans, so that every probe of a grading starts at once.

A plan is a function of ``(snapshot, params)`` declared with ``@probe_plan``. Before any check
runs, the grader calls it and starts the probes in what it returns; the plan is also a
fixture of the same name, with the same value, so a check uses what was planned instead of
building it again:

>>> @probe_plan                                                     # doctest: +SKIP
... def page(snapshot, params) -> list[Probe]:
...     container = snapshot.container(params["container"])
...     return [http_get(f"http://127.0.0.1:{params['port']}/", netns="host")] if container else []
...
>>> @check("page-served")                                           # doctest: +SKIP
... def page_served(page, probes):
...     ...probes.run(page[0])...

What a plan returns may be a probe, an image's file to read (:class:`grader.probes.ImageFile`,
which ``probes.read_from_image`` then answers at once), a list or dict of them, or objects with
a ``probes()`` method (such as :class:`grader.kit.behaviour.Reach`), nested as it likes.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

import pytest

from grader.probes import ImageFile, Probe

PLAN_MARK = "__grader_probe_plan__"


def probe_plan(function: Callable) -> Callable:
    """Declares ``function(snapshot, params)`` a plan, and a module fixture of its name."""

    def plan_fixture(request, snapshot, params):
        return _value(request.config, request.module.__name__, function, snapshot, params)

    plan_fixture.__name__ = function.__name__
    plan_fixture.__doc__ = function.__doc__
    fixture = pytest.fixture(scope="module", name=function.__name__)(plan_fixture)
    setattr(fixture, PLAN_MARK, function)
    return fixture


_VALUES = pytest.StashKey[dict]()
_VALUES_LOCK = threading.Lock()


def plans_of(module) -> list[tuple[str, Callable]]:
    """The plans a check module declares: ``(name, function)``."""
    return [
        (name, getattr(value, PLAN_MARK))
        for name, value in vars(module).items()
        if hasattr(value, PLAN_MARK)
    ]


def run_plans(config: pytest.Config, module, snapshot, params) -> list[Probe | ImageFile]:
    """Calls a module's plans once, keeps their values for their fixtures, and returns the
    probes (and image files) they hold."""
    found: list[Probe | ImageFile] = []
    for _, function in plans_of(module):
        found.extend(probes_in(_value(config, module.__name__, function, snapshot, params)))
    return found


def _value(config: pytest.Config, module_name: str, function: Callable, snapshot, params):
    """A plan's value, computed once per grading."""
    with _VALUES_LOCK:  # the plans of several modules are computed side by side
        cache = config.stash.setdefault(_VALUES, {})
    key = (module_name, function.__name__)
    if key not in cache:
        cache[key] = function(snapshot, params)
    return cache[key]


def probes_in(value: Any) -> Iterator[Probe | ImageFile]:
    """Every probe (and image file) in a plan's value.

    >>> from grader.probes import ping
    >>> [p.command[-1] for p in probes_in({"a": [ping("10.0.0.2", netns="host")], "b": None})]
    ['10.0.0.2']
    """
    if isinstance(value, (Probe, ImageFile)):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from probes_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from probes_in(item)
    elif callable(getattr(value, "probes", None)):
        yield from probes_in(value.probes())
