"""Finding the containers an exercise is about when the course does not name them.

The course's "A" and "B" are whatever two containers the student started; the grader looks
for the newest pair with the required topology and says in the evidence which one it graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
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
) -> Pair | None:
    """The named pair if both are named; otherwise the newest acceptable pair, completing a
    single named container with the newest acceptable partner."""
    if a and b:
        return Pair(a=a, b=b)
    for pair in newest_pairs(candidates):
        if a and a.id not in (pair.a.id, pair.b.id) or b and b.id not in (pair.a.id, pair.b.id):
            continue
        pair = _oriented(pair, a, b)
        if accept(pair):
            return pair
    return None


def _oriented(pair: Pair, a: Container | None, b: Container | None) -> Pair:
    if (a and pair.b.id == a.id) or (b and pair.a.id == b.id):
        return Pair(a=pair.b, b=pair.a)
    return pair


def named(snapshot: Snapshot, name: str | None) -> Container | None:
    return snapshot.container(name) if name else None


__all__ = ["Pair", "combinations", "find_pair", "named", "newest_pairs"]
