"""Wall time of `docker-grade check` on the course's solutions, beside its floor measured in the
same run, then on a crowded host.

    .venv/bin/python scripts/bench_check.py [--runs 7] [--crowd 500] [EXERCISE ...]

1. Builds the eight solutions (as tests/test_whole_course.py does) on the local engine.
2. Measures the floor and the check in turns (one of each per round, --runs rounds: a slow
   minute of a noisy machine weighs on both alike), each part the median of its rounds:
   - imports: a fresh interpreter importing the libraries a grading cannot do without
     (docker, pytest, pydantic);
   - snapshot: Snapshot.take of this state;
   - the negative ping with its container: one probe proving a silence (an address nobody
     holds, from a student container's namespace), alone on the engine. A grading cannot end
     before its slowest probe, and that is the slowest.
   Beside it, the engine's share: the probes the whole course plans, alone (no check, no
   pytest), all started at once as a grading starts them. On 2 cores, starting that many
   containers at once is what stretches the slowest one.
3. The check is `docker-grade check EXERCISE...` (all eight when none is named) from the
   student's folder; it is printed beside the floor (target: at most 1.25 times it).
4. With --crowd N (0 skips it), for each --crowd-order (both by default):
   - older: removes the solutions, makes N running and N exited idle containers and N/10
     networks (tests/support/crowd.py), builds the solutions again after them, as a
     semester-old host holds them;
   - newer: the solutions first, then N running (`docker run -d busybox sleep 36000`) and N
     exited containers on the default bridge, left to age past a minute, as a student who
     starts a stack after the course's exercises;
   measures the floor again and times the check again (target: at most 0.3 s more). The
   engine itself is slower there (every container it starts costs more): the grader's own
   share is the difference less that of the course's probes alone. Both splits are printed
   beside each other at the end. Every run must give the same score.

Removes everything it built. Needs a clean engine and the fixture images (scripts/test.sh
builds them).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import docker  # noqa: E402
import pytest  # noqa: E402
from conftest import PROOF, _load_image_builder  # noqa: E402
from test_whole_course import all_solutions  # noqa: E402

from grader.engine.client import connect  # noqa: E402
from grader.engine.snapshot import Snapshot  # noqa: E402
from grader.kit.behaviour import taken_addresses, unused_address  # noqa: E402
from grader.kit.plans import run_plans  # noqa: E402
from grader.probes import ProbeRunner, ping  # noqa: E402
from grader.spec.catalog import Catalog  # noqa: E402
from support.crowd import Crowd  # noqa: E402
from support.node_app import APP_FILES, FIXED_DOCKERFILE  # noqa: E402
from support.student import StudentHost  # noqa: E402

TARGET_RATIO, CROWD_TARGET_S = 1.25, 0.3
NODE_IMAGE = "docker-grade-test/node-good"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--crowd", type=int, default=500)
    parser.add_argument("--crowd-order", choices=("older", "newer", "both"), default="both")
    parser.add_argument("--crowd-age", type=float, default=70.0, help="seconds (newer crowd)")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="also run one check under cProfile in each state, to PREFIX-<state>.prof",
    )
    parser.add_argument("exercises", nargs="*")
    args = parser.parse_args()
    _load_image_builder().ensure_images(quiet=True)
    client = docker.from_env()
    builder, student = StudentHost(client), StudentHost(client)
    proof_existed = PROOF.exists()
    crowds: list[Crowd] = []
    splits = []
    try:
        builder.build(NODE_IMAGE, FIXED_DOCKERFILE, APP_FILES)
        with tempfile.TemporaryDirectory() as folder:
            all_solutions(student, {"good": NODE_IMAGE}, Path(folder))
            floor, plain, score = _measure(folder, args)
            _profile(folder, args, "plain")
            print(
                f"check, {args.runs} runs: median {plain:.2f} s = {plain / floor.total:.2f} x "
                f"the floor (target <= {TARGET_RATIO}), {plain / floor.with_all_probes:.2f} x "
                f"with the course's probes at once; score {score}"
            )
        if not args.crowd:
            return 0
        orders = ("older", "newer") if args.crowd_order == "both" else (args.crowd_order,)
        for order in orders:
            student.remove_all()
            crowd = _crowd(client, args, order)
            crowds.append(crowd)
            with tempfile.TemporaryDirectory() as folder:
                if order == "older":
                    started = time.monotonic()
                    crowd.build()
                    print(f"crowd {order}: made in {time.monotonic() - started:.0f} s")
                    all_solutions(student, {"good": NODE_IMAGE}, Path(folder))
                else:
                    all_solutions(student, {"good": NODE_IMAGE}, Path(folder))
                    started = time.monotonic()
                    crowd.build()
                    made = time.monotonic() - started
                    time.sleep(max(0.0, args.crowd_age - made))
                    print(f"crowd {order}: made in {made:.0f} s, aged {args.crowd_age:.0f} s")
                print(f"on the crowded host (crowd {order} than the solutions):")
                crowded_floor, crowded, crowded_score = _measure(folder, args)
                _profile(folder, args, order)
            crowd.remove()
            engine_share = crowded_floor.together - floor.together
            splits.append((order, crowded - plain, engine_share, crowded_score))
        for order, added, engine_share, crowded_score in splits:
            print(
                f"crowd {order} than the solutions: check {added:+.2f} s, of which the "
                f"engine's probes {engine_share:+.2f} s: the grader's own "
                f"{added - engine_share:+.2f} s (target <= +{CROWD_TARGET_S}); "
                f"score {crowded_score}"
            )
        if any(split[3] != score for split in splits):
            print("the crowd changed the score", file=sys.stderr)
            return 1
    finally:
        student.remove_all()
        for crowd in crowds:
            crowd.remove()
        builder.remove_all()
        if not proof_existed:
            PROOF.unlink(missing_ok=True)
    return 0


def _crowd(client, args, order: str) -> Crowd:
    """``--crowd`` running and exited containers: older ones spread over N/10 networks and
    made with -it, newer ones detached sleeps on the default bridge."""
    if order == "older":
        return Crowd(client, running=args.crowd, exited=args.crowd, networks=args.crowd // 10)
    return Crowd(client, running=args.crowd, exited=args.crowd, networks=0, detached_sleep=True)


@dataclass
class Floor:
    imports: float
    snapshot: float
    silence: float  # the negative ping with its container, alone
    together: float  # the course's probes, all at once

    @property
    def total(self) -> float:
        return self.imports + self.snapshot + self.silence

    @property
    def with_all_probes(self) -> float:
        return self.imports + self.snapshot + self.together


def _measure(folder: str, args) -> tuple[Floor, float, str]:
    """The floor's parts and the check, measured in turns (one of each per round, --runs
    rounds): a noisy machine's slow minute then weighs on both alike. Medians."""
    engine = connect()
    planned = _course_probes(engine)
    parts: dict[str, list[float]] = {name: [] for name in ("imports", "snapshot", "silence")}
    parts.update(together=[], check=[], lazy=[])
    imports = [sys.executable, "-c", "import docker, pytest, pydantic"]
    # the same, with paramiko's import made lazy as the grader makes it (grader/__init__.py)
    lazy_imports = [sys.executable, "-c", "import grader, docker, pytest, pydantic"]
    scores = set()
    for run in range(args.runs):
        parts["imports"].append(_timed(lambda: subprocess.run(imports)))
        parts["lazy"].append(_timed(lambda: subprocess.run(lazy_imports)))
        parts["snapshot"].append(_timed(lambda: Snapshot.take(engine)))
        parts["silence"].append(_timed(lambda: _negative_ping(engine)))
        parts["together"].append(_timed(lambda: _all_at_once(engine, planned)))
        seconds, score = _check_once(folder, args)
        parts["check"].append(seconds)
        scores.add(score)
        print(f"  run {run + 1}: check {seconds:.2f} s")
    medians = {name: statistics.median(values) for name, values in parts.items()}
    floor = Floor(*(medians[name] for name in ("imports", "snapshot", "silence", "together")))
    print(
        f"floor {floor.total:.2f} s = imports {floor.imports:.2f} + snapshot "
        f"{floor.snapshot:.3f} + the negative ping with its container {floor.silence:.2f} "
        f"(medians of {args.runs})"
    )
    print(
        f"the course's {len(planned)} planned probes alone, all at once: {floor.together:.2f} s;"
        f" imports + snapshot + that: {floor.with_all_probes:.2f} s"
    )
    lazy_floor = floor.total - floor.imports + medians["lazy"]
    print(
        f"with paramiko imported lazily, as the grader imports it: imports {medians['lazy']:.2f},"
        f" floor {lazy_floor:.2f} s, the check {medians['check'] / lazy_floor:.2f} x it"
    )
    return floor, medians["check"], " | ".join(sorted(scores))


def _course_probes(engine) -> list:
    """What every exercise's plans hold on this state, as a grading would plan them."""
    snapshot, planned = Snapshot.take(engine), []
    for assignment in Catalog.load(quiet=True).assign([], []):
        spec = importlib.util.spec_from_file_location(
            f"bench_{assignment.spec.id.replace('-', '_')}", assignment.check_module
        )
        module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        config = SimpleNamespace(stash=pytest.Stash())
        planned += run_plans(config, module, snapshot, assignment.params)
    return planned


def _all_at_once(engine, planned: list) -> None:
    with ProbeRunner(engine) as probes:
        probes.submit_all(planned)
        probes.wait()


def _negative_ping(engine) -> None:
    """A ping to an address nobody holds, from the newest running container's namespace."""
    snapshot = Snapshot.take(engine)
    source = next(c for c in snapshot.running() if "bridge" in c.networks)
    silent = unused_address(source.networks["bridge"], taken_addresses(snapshot.containers))
    with ProbeRunner(engine, resident=False) as probes:  # its own container: the floor
        result = probes.run(ping(silent, netns=f"container:{source.id}"))
    assert result.exit_code not in (0, None), result  # silence, proven by waiting it out


def _check_once(folder: str, args) -> tuple[float, str]:
    executable = str(Path(sys.executable).with_name("docker-grade"))
    started = time.perf_counter()
    done = subprocess.run(
        [executable, "check", "-q", *args.exercises], cwd=folder, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr, file=sys.stderr)
    return seconds, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "?"


def _profile(folder: str, args, state: str) -> None:
    """One more check, under cProfile (the main thread: plans, checks, waits on probes)."""
    if not args.profile:
        return
    output = Path(f"{args.profile}-{state}.prof").resolve()
    command = [sys.executable, "-m", "cProfile", "-o", str(output), "-m", "grader", "check"]
    subprocess.run([*command, "-q", *args.exercises], cwd=folder, capture_output=True)
    print(f"  profile: {output}")


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
