"""Median wall time of `docker-grade check` on the course's solutions, all built for real.

    .venv/bin/python scripts/bench_check.py [--runs 9] [EXERCISE ...]

Builds the eight solutions (as tests/test_whole_course.py does) on the local engine, times
`docker-grade check EXERCISE...` (all eight when none is named) from the student's folder,
prints each run and the median, and removes everything it built. Needs a clean engine and the
fixture images (scripts/test.sh builds them).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import docker  # noqa: E402
from conftest import LYING_PING_IMAGES, PROOF, _load_image_builder  # noqa: E402,F401
from test_whole_course import all_solutions  # noqa: E402

from support.node_app import APP_FILES, FIXED_DOCKERFILE  # noqa: E402
from support.student import StudentHost  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("exercises", nargs="*")
    args = parser.parse_args()
    _load_image_builder().ensure_images(quiet=True)
    client = docker.from_env()
    host = StudentHost(client)
    proof_existed = PROOF.exists()
    executable = str(Path(sys.executable).with_name("docker-grade"))
    try:
        host.build("docker-grade-test/node-good", FIXED_DOCKERFILE, APP_FILES)
        with tempfile.TemporaryDirectory() as folder:
            all_solutions(host, {"good": "docker-grade-test/node-good"}, Path(folder))
            times = []
            for run in range(args.runs):
                started = time.perf_counter()
                done = subprocess.run(
                    [executable, "check", *args.exercises],
                    cwd=folder,
                    capture_output=True,
                    text=True,
                )
                times.append(time.perf_counter() - started)
                print(f"run {run + 1}: {times[-1]:.2f} s (exit {done.returncode})")
                if done.returncode != 0:
                    print(done.stdout[-3000:], done.stderr, file=sys.stderr)
            print(
                f"median of {args.runs}: {statistics.median(times):.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f})"
            )
    finally:
        host.remove_all()
        if not proof_existed:
            PROOF.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
