"""logs-readable on a container that wrote 1 GB of logs, beside one that wrote a line.

    .venv/bin/python scripts/bench_logs.py [--mib 1024]

Runs two containers of the fixture node image as mine/node (one writes --mib MiB of log lines
then sleeps, the other one line), grades node-multistage against each (`--set` nothing: the
newest mine/node container is graded; each is graded while alone) and prints the duration of
logs-readable from the report for both. Needs a clean local engine and the fixture images.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import docker  # noqa: E402

from support.cli import grade  # noqa: E402
from support.student import StudentHost  # noqa: E402

WRITER = (
    "i=0; while [ $i -lt {n} ]; do head -c 1048576 /dev/zero | tr '\\0' 'x' | fold -w 1000; "
    "i=$((i+1)); done; echo done >&2; exec sleep 600"
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    args = parser.parse_args()
    host = StudentHost(docker.from_env(timeout=300))
    try:
        host.build(
            "mine/node", 'FROM node:lts-alpine\nCMD ["node", "-e", "setInterval(()=>{},1e6)"]\n'
        )
        for label, command in (
            ("one line", "echo hello; exec sleep 600"),
            (f"{args.mib} MiB", WRITER.format(n=args.mib)),
        ):
            container = host.container(
                "mine/node", interactive=False, tty=False, command=["sh", "-c", command]
            )
            _wait_for_stderr(host, container, "done" if "MiB" in label else None)
            run = grade("node-multistage")
            check = run.check("node-multistage", "logs-readable")
            size = json.loads(
                subprocess.run(
                    ["docker", "inspect", container.id], capture_output=True, text=True
                ).stdout
            )[0]["LogPath"]
            print(
                f"{label}: logs-readable {check['status']} in {check['duration_s']:.3f} s "
                f"(log file {Path(size).stat().st_size / 2**20:.0f} MiB)"
            )
            container.remove(force=True)
    finally:
        host.remove_all()
    return 0


def _wait_for_stderr(host, container, word, timeout=600.0) -> None:
    deadline = time.monotonic() + timeout
    while word and time.monotonic() < deadline:
        if word in container.logs(stdout=False, stderr=True).decode(errors="replace"):
            return
        time.sleep(1)
    time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
