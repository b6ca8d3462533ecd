"""Wall time of `docker-grade batch` over three real engines (full, partial and no solution),
with a roster of 3 lines, then of 30 lines pointing at the same engines.

    .venv/bin/python scripts/bench_batch.py [--jobs 8]

Starts three extra dockerd (each in its own network namespace, as tests/batch does), builds
the students' states there, times the two batches, and removes it all. Run as root on a
machine with the fixture images (scripts/test.sh builds them).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import docker  # noqa: E402

from batch.test_batch import full_solution, partial_solution  # noqa: E402
from support.engines import ExtraEngine  # noqa: E402
from support.student import StudentHost  # noqa: E402

EXERCISES = ("custom-bridge", "two-containers-ping", "network-isolation", "nginx-ro-volume")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    engines = [ExtraEngine(f"dg-bench-{n}") for n in (1, 2, 3)]
    hosts: list[StudentHost] = []
    executable = str(Path(sys.executable).with_name("docker-grade"))
    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda engine: engine.start(), engines))
        main_engine = docker.from_env()
        for engine in engines:
            engine.load_images(main_engine)
        hosts = [StudentHost(engine.client()) for engine in engines]
        with tempfile.TemporaryDirectory() as folder:
            site = Path(folder) / "site"
            site.mkdir()
            (site / "index.html").write_text("<p>mine</p>")
            full_solution(hosts[0], site)
            hosts[0].network("othernet")
            hosts[0].container("busybox", network="othernet")
            partial_solution(hosts[1])
            for lines in (3, 30):
                roster = Path(folder) / f"roster-{lines}.csv"
                with roster.open("w", newline="") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["student_id", "docker_host"])
                    writer.writerows((f"s{n:02d}", engines[n % 3].docker_host)
                                     for n in range(lines))
                started = time.perf_counter()
                done = subprocess.run([executable, "batch", str(roster), *EXERCISES, "--out",
                                       str(Path(folder) / f"out-{lines}"), "--jobs",
                                       str(args.jobs)], capture_output=True, text=True)
                elapsed = time.perf_counter() - started
                print(f"{lines} roster lines: {elapsed:.1f} s, exit {done.returncode}, "
                      f"{lines / elapsed * 60:.0f} students per minute (--jobs {args.jobs})")
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    finally:
        for host in hosts:
            host.remove_all()
        for engine in engines:
            engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
