"""Latency of `docker-grade watch`: from the engine's event to the updated view.

    .venv/bin/python scripts/bench_watch.py [--runs 15]

Runs `watch --format json-lines` on the local engine and makes changes a student makes:
(1) `docker network create --subnet=192.168.0.0/24 mybridge` then its removal, graded by
custom-bridge (no negative probe); (2) `docker run -itd --network=netb busybox` beside a
container on neta, then its removal, graded by network-isolation (a negative ping, whose
timeout is part of the floor). Each latency is the time from the event (the engine's own
timestamp, same machine clock) to the JSON line read from watch. The floor printed beside is a
lone in-process grading of the same exercise on the same state. Needs a clean local engine
with the fixture images (scripts/test.sh builds them); removes all it creates.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import docker  # noqa: E402

from grader.engine.client import connect  # noqa: E402
from grader.grading import grade  # noqa: E402
from grader.spec.catalog import Catalog  # noqa: E402
from support.student import StudentHost  # noqa: E402
from support.watching import WatchProcess  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    host = StudentHost(docker.from_env())
    try:
        with tempfile.TemporaryDirectory() as folder:
            _report(
                "custom-bridge (no negative probe)", *_custom_bridge(host, Path(folder), args.runs)
            )
            _report(
                "network-isolation (negative ping)",
                *_network_isolation(host, Path(folder), args.runs),
            )
    finally:
        host.remove_all()
    return 0


def _custom_bridge(host: StudentHost, folder: Path, runs: int) -> tuple[list, list]:
    latencies = []
    with WatchProcess("custom-bridge", cwd=folder) as watch:
        watch.wait_for(lambda u: bool(u["exercises"]))
        for _ in range(runs):
            seen = len(watch.updates)
            network = host.network("mybridge", subnet="192.168.0.0/24")
            latencies.append(_latency(watch, seen, "network create mybridge"))
            seen = len(watch.updates)
            network.remove()
            host._networks.remove(network.id)
            latencies.append(_latency(watch, seen, "network destroy mybridge"))
        watch.stop()
    return latencies, _floor("custom-bridge", runs)


def _network_isolation(host: StudentHost, folder: Path, runs: int) -> tuple[list, list]:
    host.network("neta")
    host.network("netb")
    host.wait_running(host.container("busybox", network="neta"))
    latencies = []
    with WatchProcess("network-isolation", cwd=folder) as watch:
        watch.wait_for(lambda u: bool(u["exercises"]))
        time.sleep(6)  # past the first retry of the incomplete exercise
        for _ in range(runs):
            seen = len(watch.updates)
            b = host.container("busybox", network="netb")
            latencies.append(_latency(watch, seen, "container start"))
            seen = len(watch.updates)
            b.remove(force=True)
            latencies.append(_latency(watch, seen, "container destroy"))
        b = host.container("busybox", network="netb")
        host.wait_running(b)
        floor = _floor("network-isolation", runs)
        watch.stop()
    return latencies, floor


def _latency(watch: WatchProcess, seen: int, detail: str) -> float:
    update = watch.wait_for(
        lambda u: any(t["detail"].startswith(detail) for t in u["triggers"]), after=seen, timeout=30
    )
    event = next(t for t in update["triggers"] if t["detail"].startswith(detail))
    return update["received"] - event["at"]


def _floor(exercise: str, runs: int) -> list[float]:
    """A lone grading of ``exercise`` on the current state, in this process."""
    engine, assignments = connect(), Catalog.load().assign([exercise], [])
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            grade(engine=engine, assignments=assignments, lang="en")
            times.append(time.perf_counter() - started)
        return times
    finally:
        engine.close()


def _report(name: str, latencies: list[float], floor: list[float]) -> None:
    ordered = sorted(latencies)
    p90 = ordered[max(0, int(round(0.9 * len(ordered))) - 1)]
    print(
        f"{name}: event to view median {statistics.median(latencies):.2f} s, "
        f"p90 {p90:.2f} s ({len(latencies)} events); floor (a lone grading) median "
        f"{statistics.median(floor):.2f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
