"""Discovery on a real engine: a crowd newer than the student's pair is inspected in batches."""

import threading
import time

from grader.engine.client import connect
from grader.engine.snapshot import Snapshot
from grader.kit.discovery import discover_pair


def test_a_crowd_newer_than_the_pair_is_inspected_in_concurrent_batches(student):
    a = student.container("busybox", name="alpha")  # docker run -itd busybox, twice
    b = student.container("busybox", name="beta")
    for _ in range(40):  # then a stack of detached sleeps: newer, and not -it
        student.container("busybox", interactive=False, tty=False, command=["sleep", "600"])
    engine = connect()
    calls, under_way, most = [], [0], [0]
    lock, inspect = threading.Lock(), engine.api.inspect_container
    counting = threading.Event()

    def counted(container_id):
        if not counting.is_set():
            return inspect(container_id)
        with lock:
            calls.append(container_id)
            under_way[0] += 1
            most[0] = max(most[0], under_way[0])
        try:
            time.sleep(0.02)  # a round trip on a loaded engine
            return inspect(container_id)
        finally:
            with lock:
                under_way[0] -= 1

    engine.api.inspect_container = counted
    try:
        snapshot = Snapshot.take(engine)  # inspects the newest 16 at once: counted from here
        counting.set()
        found = discover_pair(
            snapshot,
            (None, None),
            snapshot.steady(),
            accept=lambda p: bool(p.a.shares_network_with(p.b)),
            prefer=lambda c: c.tty and c.open_stdin,
        )
    finally:
        engine.close()

    assert {found.pair.a.id, found.pair.b.id} == {a.id, b.id}
    assert len(calls) == len(set(calls)) >= 42 - 16  # each of the others inspected once
    assert most[0] > 4  # at once, not one after another
