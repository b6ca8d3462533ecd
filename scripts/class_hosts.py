"""Three students' hosts for the batch scripts: extra dockerd, each in its own network
namespace (as tests/batch has them), with the fixture images loaded from the main engine.

>>> with class_hosts("dg-bench") as (engines, hosts):          # doctest: +SKIP
...     full_solution(hosts[0], site)
"""

from __future__ import annotations

import contextlib
import csv
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import docker  # noqa: E402

from support.engines import ExtraEngine  # noqa: E402
from support.student import StudentHost  # noqa: E402

EXERCISES = ("custom-bridge", "two-containers-ping", "network-isolation", "nginx-ro-volume")


@contextlib.contextmanager
def class_hosts(prefix: str) -> Iterator[tuple[list[ExtraEngine], list[StudentHost]]]:
    """Starts three engines, yields them with a StudentHost on each; removes it all after."""
    engines = [ExtraEngine(f"{prefix}-{n}") for n in (1, 2, 3)]
    hosts: list[StudentHost] = []
    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda engine: engine.start(), engines))
        main_engine = docker.from_env()
        for engine in engines:
            engine.load_images(main_engine)
        hosts = [StudentHost(engine.client()) for engine in engines]
        yield engines, hosts
    finally:
        for host in hosts:
            host.remove_all()
        for engine in engines:
            engine.stop()


def write_roster(path: Path, engines: list[ExtraEngine], lines: int) -> Path:
    """``lines`` students, spread over ``engines`` in turn."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "docker_host"])
        writer.writerows((f"s{n:02d}", engines[n % len(engines)].docker_host) for n in range(lines))
    return path


def batch_executable() -> str:
    return str(Path(sys.executable).with_name("docker-grade"))
