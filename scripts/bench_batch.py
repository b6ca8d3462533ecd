"""Students per minute of `docker-grade batch` over three real engines (full, partial and no
solution), with a roster of 3 lines, then of 30 and 120 lines pointing at the same engines,
each beside two floors measured in the same run, and the CPU the grader's own processes used
(batch and its workers, not the engines): per student, and per student past the 30th (the
workers' start-up, paid once per worker, left out):

- the grader's own cost: the same 30 lines graded on custom-bridge alone (no probe);
- the engines' cost: as many throwaway containers as the batch made probe containers
  (counted from the engines' events), run --jobs at a time on the same engines, each created,
  started, waited for and removed as a probe is. On a 2-core machine this is what bounds it.

    .venv/bin/python scripts/bench_batch.py [--jobs 8]

Starts three extra dockerd (each in its own network namespace, as tests/batch does), builds
the students' states there, times the batches, and removes it all. Run as root on a machine
with the fixture images (scripts/test.sh builds them).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parent),
    str(Path(__file__).resolve().parent.parent / "tests"),
]

from batch.test_batch import full_solution, partial_solution  # noqa: E402
from class_hosts import EXERCISES, batch_executable, class_hosts, write_roster  # noqa: E402

PROBE_LABEL = "docker-grade.probe"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    with class_hosts("dg-bench") as (engines, hosts), tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        site = folder / "site"
        site.mkdir()
        (site / "index.html").write_text("<p>mine</p>")
        full_solution(hosts[0], site)
        hosts[0].network("othernet")
        hosts[0].container("busybox", network="othernet")
        partial_solution(hosts[1])
        cpus = {}
        for lines in (3, 30, 120):
            since = time.time()
            elapsed, cpu = _batch(folder, engines, lines, EXERCISES, args.jobs)
            probes = sum(_probes_created(engine, since) for engine in engines)
            print(
                f"{lines} roster lines, {len(EXERCISES)} exercises: {elapsed:.1f} s, "
                f"{lines / elapsed * 60:.0f} students/min, {probes} probe containers; "
                f"the grader's CPU {cpu / lines * 1000:.0f} ms a student"
            )
            cpus[lines] = cpu
        # the workers' start (interpreter, imports) is paid once per worker: a longer roster
        # spreads it; what each more student costs is the difference
        print(
            "the grader's CPU for each student past the 30th: "
            f"{(cpus[120] - cpus[30]) / 90 * 1000:.0f} ms (target <= 150)"
        )
        alone, alone_cpu = _batch(folder, engines, 30, ("custom-bridge",), args.jobs)
        print(
            f"floor, the grader's own cost: 30 lines of custom-bridge (no probe): "
            f"{alone:.1f} s, {30 / alone * 60:.0f} students/min, "
            f"CPU {alone_cpu / 30 * 1000:.0f} ms a student"
        )
        floor = _containers(engines, probes, args.jobs)
        print(
            f"floor, the engines' cost: {probes} throwaway containers, {args.jobs} at a time: "
            f"{floor:.1f} s, {30 / floor * 60:.0f} students/min"
        )
    return 0


def _batch(folder: Path, engines, lines: int, exercises, jobs: int) -> tuple[float, float]:
    """Wall time, and the CPU seconds of the grader's processes (batch and its workers,
    not the engines): what the batch's waited-for children used."""
    roster = write_roster(folder / f"roster-{lines}.csv", engines, lines)
    out = folder / f"out-{lines}-{len(exercises)}"
    command = [
        batch_executable(),
        "batch",
        str(roster),
        *exercises,
        "--out",
        str(out),
        "--jobs",
        str(jobs),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _probes_created(engine, since: float) -> int:
    client = engine.client()
    try:
        events = client.api.events(
            since=since,
            until=time.time(),
            decode=True,
            filters={"type": "container", "event": "create", "label": PROBE_LABEL},
        )
        return sum(1 for _ in events)
    finally:
        client.close()


def _containers(engines, count: int, jobs: int) -> float:
    """Wall time of ``count`` busybox containers run as probes are, ``jobs`` at a time, spread
    over the engines."""
    clients = [engine.client() for engine in engines]

    def one(n: int) -> None:
        api = clients[n % len(clients)].api
        container = api.create_container("busybox:latest", command=["true"])
        api.start(container)
        api.wait(container)
        api.remove_container(container, force=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
