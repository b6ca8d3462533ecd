"""What a check module uses: the ``@check`` marker and the ways a check ends.

A check is a plain function; it passes when it returns, and says why when it does not:

>>> @check("network-subnet")                                   # doctest: +SKIP
... def check_network_subnet(network, params, verdict):
...     verdict.evidence(network=network.name)
...     expect(params["subnet"] in network.subnets, t("subnet", "sous-réseau"),
...            expected=params["subnet"], found=network.subnets)
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn

import pytest

from grader.i18n import Localized, Text, t

MARKER = "grader_check"

__all__ = [
    "CheckFailed",
    "NotApplicable",
    "Undecided",
    "Verdict",
    "check",
    "expect",
    "fail",
    "require_host_uids",
    "t",
]


def check(check_id: str) -> Callable:
    """Ties a function to a rubric check id (the spec's ``checks[].id``)."""
    return getattr(pytest.mark, MARKER)(check_id)


class CheckFailed(Exception):
    """The student's work does not do what the check asks: status ``failed``."""

    def __init__(self, what: Text, *, expected: Any = None, found: Any = None):
        super().__init__(what)
        self.what, self.expected, self.found = what, expected, found


class Undecided(Exception):
    """The grader could not tell (a probe that does not work, a container gone): ``error``."""

    def __init__(self, why: Text):
        super().__init__(why)
        self.why = why


class NotApplicable(Exception):
    """Something this check needs is missing; ``requirement`` names the check that covers it:
    status ``skipped``."""

    def __init__(self, why: Text):
        super().__init__(why)
        self.why = why


def fail(what: Text, *, expected: Any = None, found: Any = None) -> NoReturn:
    raise CheckFailed(what, expected=expected, found=found)


def expect(condition: bool, what: Text, *, expected: Any, found: Any) -> None:
    if not condition:
        fail(what, expected=expected, found=found)


def require_host_uids(snapshot) -> None:
    """Owners read through the engine are the container's uids; with userns-remap they are not
    the host's, so a verdict on "root" cannot be made."""
    if snapshot.userns_remap:
        raise Undecided(
            t(
                "the engine remaps user ids (userns-remap): container uids are not host uids",
                "le moteur remappe les uid (userns-remap) : les uid du "
                "conteneur ne sont pas ceux de l'hôte",
            )
        )


class Verdict:
    """Per-check notes: ``evidence`` (what was looked at) and ``note`` (the passed message)."""

    def __init__(self) -> None:
        self.details: dict[str, Any] = {}
        self.notes: list[Localized | str] = []

    def evidence(self, **details: Any) -> None:
        self.details.update(details)

    def note(self, text: Text) -> None:
        self.notes.append(text)
