"""Wall time of `docker-grade batch` over three real engines (full, partial and no solution),
with a roster of 3 lines, then of 30 lines pointing at the same engines.

    .venv/bin/python scripts/bench_batch.py [--jobs 8]

Starts three extra dockerd (each in its own network namespace, as tests/batch does), builds
the students' states there, times the two batches, and removes it all. Run as root on a
machine with the fixture images (scripts/test.sh builds them).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parent),
    str(Path(__file__).resolve().parent.parent / "tests"),
]

from batch.test_batch import full_solution, partial_solution  # noqa: E402
from class_hosts import EXERCISES, batch_executable, class_hosts, write_roster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    with class_hosts("dg-bench") as (engines, hosts), tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        site.mkdir()
        (site / "index.html").write_text("<p>mine</p>")
        full_solution(hosts[0], site)
        hosts[0].network("othernet")
        hosts[0].container("busybox", network="othernet")
        partial_solution(hosts[1])
        for lines in (3, 30):
            roster = write_roster(Path(folder) / f"roster-{lines}.csv", engines, lines)
            started = time.perf_counter()
            done = subprocess.run(
                [
                    batch_executable(),
                    "batch",
                    str(roster),
                    *EXERCISES,
                    "--out",
                    str(Path(folder) / f"out-{lines}"),
                    "--jobs",
                    str(args.jobs),
                ],
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - started
            print(
                f"{lines} roster lines: {elapsed:.1f} s, exit {done.returncode}, "
                f"{lines / elapsed * 60:.0f} students per minute (--jobs {args.jobs})"
            )
            if done.returncode != 0:
                print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
