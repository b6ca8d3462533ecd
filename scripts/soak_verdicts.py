"""Verdict stability: every state the check tests build, graded again and again.

    .venv/bin/python scripts/soak_verdicts.py [--runs 100] [PYTEST ARGS, e.g. tests/checks]

Runs the tests (tests/checks by default) with DOCKER_GRADE_SOAK_RUNS set: each state a test
grades is graded --runs times in all on the real engine, the first half in a row (the test's
own grading among them), the rest with 4 graders at once. Prints, per check, how many runs
disagreed with the majority of its state (target: 0), then the states where any did. Needs
what scripts/test.sh sets up (engine, venv, images).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100, help="gradings per state (at least 2)")
    args, pytest_args = parser.parse_known_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2: one grading in a row, one among 4 at once")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "soak.jsonl"
        env = {
            **os.environ,
            "DOCKER_GRADE_SOAK_RUNS": str(args.runs),
            "DOCKER_GRADE_SOAK_LOG": str(log),
        }
        subprocess.run(
            [
                str(Path(sys.executable).with_name("pytest")),
                "-q",
                "-p",
                "no:cacheprovider",
                *(pytest_args or ["tests/checks"]),
            ],
            cwd=ROOT,
            env=env,
        )
        records = (
            [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        )
    disagreements, per_state, runs_per_check = Counter(), defaultdict(list), Counter()
    for record in records:
        for check, statuses in _by_check(record["runs"]).items():
            majority = Counter(statuses).most_common(1)[0][1]
            runs_per_check[check] += len(statuses)
            disagreements[check] += len(statuses) - majority
            if len(statuses) != majority:
                per_state[check].append((record["test"], Counter(statuses), _said(record, check)))
    print(
        f"{len(records)} graded states, {args.runs} gradings each "
        f"({args.runs // 2} in a row, {args.runs - args.runs // 2} with 4 at once)"
    )
    for check in sorted(runs_per_check):
        print(f"{check:<45} {disagreements[check]:>4} of {runs_per_check[check]} runs disagreed")
    for check, states in sorted(per_state.items()):
        for test, counts, said in states:
            print(f"  {check}: {test}: {dict(counts)}")
            for message, times in said.items():
                print(f"      {times} x {message}")
    return 1 if sum(disagreements.values()) else 0


def _said(record: dict, check: str) -> Counter:
    """The messages of the runs where ``check`` did not pass, how many times each."""
    return Counter(m[check] for m in record.get("messages", []) if check in m)


def _by_check(runs: list[dict[str, str]]) -> dict[str, list[str]]:
    every_check = {check for run in runs for check in run}
    return {check: [run.get(check, "(absent)") for run in runs] for check in every_check}


if __name__ == "__main__":
    sys.exit(main())
