"""Finding the containers an exercise is about when the course does not name them.

The course's "A" and "B" are whatever two containers the student started; the grader looks
for the newest pair with the required topology and says in the evidence which one it graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from grader.engine.container import Container
from grader.engine.snapshot import Snapshot


@dataclass(frozen=True)
class Pair:
    a: Container  # the older one: the course starts A first
    b: Container

    def evidence(self) -> dict[str, object]:
        return {
            "a": self.a.describe(), "b": self.b.describe(),
            "a_networks": sorted(self.a.networks), "b_networks": sorted(self.b.networks),
        }


def newest_pairs(containers: list[Container]) -> Iterable[Pair]:
    """Pairs from the newest containers down (``containers`` is newest first)."""
    for newer_index in range(len(containers)):
        for older in containers[newer_index + 1:]:
            yield Pair(a=older, b=containers[newer_index])


def find_pair(
    candidates: list[Container],
    *,
    a: Container | None,
    b: Container | None,
    accept: Callable[[Pair], bool],
    prefer: Callable[[Pair], bool] = lambda pair: True,
) -> Pair | None:
    """The named pair if both are named; otherwise the newest acceptable pair (the newest
    preferred one first), completing a single named container with its newest partner."""
    if a and b:
        return Pair(a=a, b=b)
    acceptable = [_oriented(pair, a, b) for pair in newest_pairs(candidates)
                  if _includes(pair, a) and _includes(pair, b)]
    acceptable = [pair for pair in acceptable if accept(pair)]
    return next((pair for pair in acceptable if prefer(pair)), acceptable[0] if acceptable else None)


def _includes(pair: Pair, container: Container | None) -> bool:
    return container is None or container.id in (pair.a.id, pair.b.id)


def _oriented(pair: Pair, a: Container | None, b: Container | None) -> Pair:
    if (a and pair.b.id == a.id) or (b and pair.a.id == b.id):
        return Pair(a=pair.b, b=pair.a)
    return pair


def named(snapshot: Snapshot, name: str | None) -> Container | None:
    return snapshot.container(name) if name else None

