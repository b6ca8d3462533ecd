"""Discovery on a real engine: a crowd newer than the student's pair is inspected in batches."""

import threading
import time

from grader.engine.client import connect
from grader.engine.snapshot import Snapshot
from grader.kit.discovery import discover_pair


def _counting_inspects(engine):
    """Wraps the engine's inspect: the ids inspected once ``counting`` is set, and the most
    under way at once (each takes a loaded engine's round trip)."""
    calls, under_way, most = [], [0], [0]
    lock, inspect = threading.Lock(), engine.inspect_container
    counting = threading.Event()

    def counted(container_id):
        if not counting.is_set():
            return inspect(container_id)
        with lock:
            calls.append(container_id)
            under_way[0] += 1
            most[0] = max(most[0], under_way[0])
        try:
            time.sleep(0.02)
            return inspect(container_id)
        finally:
            with lock:
                under_way[0] -= 1

    engine.inspect_container = counted
    return calls, most, counting


def _discover(engine, counting, *, aged: bool = False):
    """``aged``: the candidates taken as a crowd up for a minute is (steady without an
    inspect), so that only the discovery's own reads are counted."""
    snapshot = Snapshot.take(engine)  # inspects the newest 16 at once: counted from here
    candidates = snapshot.running() if aged else None
    counting.set()
    return discover_pair(
        snapshot,
        (None, None),
        candidates or snapshot.steady(),
        accept=lambda p: bool(p.a.shares_network_with(p.b)),
        prefer=lambda c: c.tty and c.open_stdin,
    )


def _newer_sleeps(student, count: int) -> None:
    for _ in range(count):  # a stack of detached sleeps: newer, and not -it
        student.container("busybox", interactive=False, tty=False, command=["sleep", "600"])


def test_a_crowd_newer_than_the_pair_is_inspected_in_concurrent_batches(student):
    a = student.container("busybox", name="alpha")  # docker run -itd busybox, twice
    b = student.container("busybox", name="beta")
    _newer_sleeps(student, 40)
    engine = connect()
    calls, most, counting = _counting_inspects(engine)
    try:
        found = _discover(engine, counting)
    finally:
        engine.close()

    assert {found.pair.a.id, found.pair.b.id} == {a.id, b.id}
    assert len(calls) == len(set(calls)) >= 42 - 16  # each of the others inspected once
    assert most[0] > 4  # at once, not one after another


def test_a_crowd_of_it_containers_older_than_the_pair_is_never_read(student):
    for _ in range(40):  # a semester of docker run -itd busybox
        student.container("busybox")
    a = student.container("busybox", name="alpha")
    b = student.container("busybox", name="beta")
    engine = connect()
    calls, _, counting = _counting_inspects(engine)
    try:
        found = _discover(engine, counting, aged=True)
    finally:
        engine.close()

    assert (found.pair.a.id, found.pair.b.id) == (a.id, b.id)
    assert len(calls) <= 16  # one batch at most: the newest preferred pair is then certain
