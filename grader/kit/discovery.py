"""Finding the containers an exercise is about when the course does not name them.

The course's "A" and "B" are whatever two containers the student started; the grader looks
for the newest pair with the required topology and says in the evidence which one it graded.
Names given with ``--set a=… --set b=…`` are checked, never silently replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from grader.engine.container import Container
from grader.engine.snapshot import Snapshot
from grader.i18n import Localized, t
from grader.kit.verdicts import NotApplicable


@dataclass(frozen=True)
class Pair:
    a: Container  # the older one: the course starts A first
    b: Container

    def evidence(self) -> dict[str, object]:
        return {
            "a": self.a.describe(),
            "b": self.b.describe(),
            "a_networks": sorted(self.a.networks),
            "b_networks": sorted(self.b.networks),
        }


@dataclass(frozen=True)
class Discovery:
    """The pair to grade, or why there is none (what the pair's own check reports)."""

    pair: Pair | None
    problem: Localized | None = None

    def required(self, covered_by: str) -> Pair:
        """The pair, for a check that needs one; skipped, naming the check that reports why
        there is none (the spec's ``requires`` normally skips it first)."""
        if self.pair is None:
            raise NotApplicable(
                t(
                    "no containers A and B were identified (see {c})",
                    "aucun conteneur A et B n'a été identifié (voir {c})",
                ).format(c=covered_by)
            )
        return self.pair


def newest_pairs(containers: list[Container]) -> Iterable[Pair]:
    """Pairs from the newest containers down (``containers`` is newest first)."""
    for newer_index in range(len(containers)):
        for older in containers[newer_index + 1 :]:
            yield Pair(a=older, b=containers[newer_index])


def discover_pair(
    snapshot: Snapshot,
    names: tuple[str | None, str | None],
    candidates: list[Container],
    *,
    accept: Callable[[Pair], bool],
    prefer: Callable[[Container], bool] | None = None,
) -> Discovery:
    """The newest acceptable pair among ``candidates``, with A and B fixed where ``names``
    name them; a named container must be one of the candidates. With ``prefer``, the newest
    acceptable pair of two preferred containers comes first (a container-wise preference,
    read newest first in concurrent batches until that pair is certain: a crowd older than
    it is never read)."""
    named = []
    for letter, name in zip("AB", names):
        container, problem = _named(snapshot, name, candidates, letter)
        if problem:
            return Discovery(None, problem)
        named.append(container)
    a, b = named
    if a and b and a.id == b.id:
        return Discovery(None, t("A and B are the same container", "A et B sont le même conteneur"))
    if prefer is not None:
        if pair := _newest_preferred(snapshot, candidates, a, b, accept, prefer):
            return Discovery(pair)
    return Discovery(_newest_accepted(snapshot, candidates, a, b, accept))


def _newest_preferred(
    snapshot: Snapshot,
    candidates: list[Container],
    a: Container | None,
    b: Container | None,
    accept: Callable[[Pair], bool],
    prefer: Callable[[Container], bool],
) -> Pair | None:
    """The newest acceptable pair of preferred candidates. Read newest first, in batches
    that double (a crowd newer than the pair costs a few concurrent rounds): once the newest
    preferred one has an acceptable partner among those read, that pair comes first (every
    unread candidate is older: its pairs come later), and a crowd older than the student's
    pair is never read."""
    preferred: list[Container] = []
    start, size = 0, _InspectedInBatches.BATCH
    while start < len(candidates):
        batch = candidates[start : start + size]
        snapshot.inspect_all(batch)
        preferred += [c for c in batch if c.present() and prefer(c)]
        if preferred and (pair := _accepted_with(preferred[0], preferred[1:], a, b, accept)):
            return pair
        start, size = start + size, size * 2
    return _newest_accepted(snapshot, preferred, a, b, accept)


def _accepted_with(
    newest: Container,
    older: list[Container],
    a: Container | None,
    b: Container | None,
    accept: Callable[[Pair], bool],
) -> Pair | None:
    """The first acceptable pair of ``newest`` with one of ``older`` (all read, present)."""
    for pair in (Pair(a=other, b=newest) for other in older):
        if _includes(pair, a) and _includes(pair, b) and accept(pair := _oriented(pair, a, b)):
            return pair
    return None


def _newest_accepted(
    snapshot: Snapshot,
    candidates: list[Container],
    a: Container | None,
    b: Container | None,
    accept: Callable[[Pair], bool],
) -> Pair | None:
    """Newest first, stopping at the first acceptable pair: a host with hundreds of
    containers has tens of thousands of pairs."""
    batches = _InspectedInBatches(snapshot, candidates)
    for pair in newest_pairs(candidates):
        if not (_includes(pair, a) and _includes(pair, b)):
            continue
        pair = _oriented(pair, a, b)
        if not accept(pair):
            continue
        batches.reach(pair)
        # present: one removed since the list call is no candidate, and the inspect of those
        # that are is read before any probe (a restart during the probes is then seen)
        if pair.a.present() and pair.b.present():
            return pair
    return None


class _InspectedInBatches:
    """Inspects the candidates ahead of the pairs that read them, BATCH at once, in the
    order the pairs come (newest first): a crowd newer than the student's pair costs a few
    concurrent round trips, not one inspect after another."""

    BATCH = 16

    def __init__(self, snapshot: Snapshot, candidates: list[Container]):
        self.snapshot, self.candidates = snapshot, candidates
        self.position = {c.id: n for n, c in enumerate(candidates)}
        self.inspected = 0  # candidates[:inspected] are read

    def reach(self, pair: Pair) -> None:
        furthest = max(self.position[pair.a.id], self.position[pair.b.id])
        while furthest >= self.inspected:
            batch = self.candidates[self.inspected : self.inspected + self.BATCH]
            self.snapshot.inspect_all(batch)
            self.inspected += len(batch)


def _named(
    snapshot: Snapshot, name: str | None, candidates: list[Container], letter: str
) -> tuple[Container | None, Localized | None]:
    if not name:
        return None, None
    container = snapshot.container(name)
    if container is None:
        return None, t(
            "no container named {n} (given as {x})", "aucun conteneur nommé {n} (donné comme {x})"
        ).format(n=name, x=letter)
    if container.id not in {c.id for c in candidates} and container.restarting_in_a_loop(
        snapshot.taken_at
    ):
        return None, t(
            "{c} (given as {x}) restarts in a loop: it cannot be graded the same way twice",
            "{c} (donné comme {x}) redémarre en boucle : impossible de le "
            "corriger deux fois de la même façon",
        ).format(c=container.describe(), x=letter)
    if container.id not in {c.id for c in candidates}:
        return None, t(
            "{c} (given as {x}) does not qualify: status {s}, networks {nets}",
            "{c} (donné comme {x}) ne convient pas : statut {s}, réseaux {nets}",
        ).format(
            c=container.describe(),
            x=letter,
            s=container.status,
            nets=", ".join(sorted(container.networks)) or "-",
        )
    return container, None


def _includes(pair: Pair, container: Container | None) -> bool:
    return container is None or container.id in (pair.a.id, pair.b.id)


def _oriented(pair: Pair, a: Container | None, b: Container | None) -> Pair:
    if (a and pair.b.id == a.id) or (b and pair.a.id == b.id):
        return Pair(a=pair.b, b=pair.a)
    return pair
