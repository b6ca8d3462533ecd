"""A class of correct solutions graded again and again: how many students miss full score.

    .venv/bin/python scripts/soak_batch.py [--lines 60] [--runs 5] [--jobs 8]

Three extra dockerd (each in its own network namespace) hold the course's solutions of
custom-bridge, two-containers-ping, network-isolation and nginx-ro-volume; a roster of
``--lines`` students points at them in turn; `docker-grade batch ... --jobs 8` runs ``--runs``
times. Every student should score full marks every time: each run prints how many did not, and
the check results that cost them. Run as root with the fixture images built (scripts/test.sh).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parent),
    str(Path(__file__).resolve().parent.parent / "tests"),
]

from batch.test_batch import full_solution  # noqa: E402
from class_hosts import EXERCISES, batch_executable, class_hosts, write_roster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    missed_in_all = 0
    with class_hosts("dg-soak") as (engines, hosts), tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        site.mkdir()
        (site / "index.html").write_text("<p>mine</p>")
        for host in hosts:
            full_solution(host, site)
            host.network("othernet")
            host.container("busybox", network="othernet")
        roster = write_roster(Path(folder) / "class.csv", engines, args.lines)
        for run in range(1, args.runs + 1):
            out = Path(folder) / f"grades-{run}"
            subprocess.run(
                [
                    batch_executable(),
                    "batch",
                    str(roster),
                    *EXERCISES,
                    "--out",
                    str(out),
                    "--jobs",
                    str(args.jobs),
                ],
                capture_output=True,
                text=True,
            )
            missed, causes = _missed(out)
            missed_in_all += missed
            print(
                f"run {run}: {missed} of {args.lines} students not at full score"
                + "".join(f"\n  {n} x {cause}" for cause, n in causes.most_common())
            )
    return 1 if missed_in_all else 0


def _missed(out: Path) -> tuple[int, Counter]:
    """Students of the gradebook below full score (ungradable ones too), and what cost them."""
    missed, causes = 0, Counter()
    with (out / "gradebook.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["status"] == "graded" and row["score"] == row["max_score"]:
            continue
        missed += 1
        report_path = out / f"{row['student_id']}.json"
        if not report_path.is_file():
            causes[row["status"]] += 1
            continue
        for exercise in json.loads(report_path.read_text())["exercises"]:
            for check in exercise["checks"]:
                if check["status"] != "passed":
                    causes[
                        f"{exercise['id']} {check['id']} {check['status']}: "
                        f"{(check.get('message') or '')[:120]}"
                    ] += 1
    return missed, causes


if __name__ == "__main__":
    sys.exit(main())
