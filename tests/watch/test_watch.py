"""``docker-grade watch`` on a real engine: the stream follows the student's steps."""

from __future__ import annotations

import signal
import subprocess
import time

from support.cli import EXECUTABLE, all_passed
from support.engines import ExtraEngine
from support.watching import WatchProcess, statuses

BRIDGE = (
    "network-exists",
    "network-driver",
    "network-subnet",
    "container-attached",
    "container-detached-tty",
)


def test_the_stream_follows_the_course_steps(student, tmp_path, docker_client):
    with WatchProcess("custom-bridge", "two-containers-ping", cwd=tmp_path) as watch:
        first = watch.wait_for(lambda u: statuses(u, "custom-bridge") is not None)
        assert statuses(first, "custom-bridge")["network-exists"] == "failed"
        seen = len(watch.updates)

        student.network("mybridge", subnet="192.168.0.0/24")
        step = watch.wait_for(
            lambda u: (statuses(u, "custom-bridge") or {}).get("network-subnet") == "passed",
            after=seen,
        )
        assert statuses(step, "custom-bridge")["container-attached"] == "failed"
        assert any(t["detail"] == "network create mybridge" for t in step["triggers"])
        seen = len(watch.updates)

        a = student.container("busybox", network="mybridge")  # docker run -itd --network=...
        watch.wait_for(lambda u: statuses(u, "custom-bridge") == all_passed(*BRIDGE), after=seen)
        seen = len(watch.updates)

        student.wait_running(a)
        b = student.container("busybox", network="mybridge")
        student.wait_running(b)
        done = watch.wait_for(lambda u: "two-containers-ping" in u["completed"], after=seen)
        assert done["score"] == done["max_score"] == 10

        code, took = watch.stop(signal.SIGINT)

    assert code == 0 and took < 1.5, (code, took, watch.stderr)
    assert "Traceback" not in watch.stderr
    assert docker_client.api.containers(all=True, filters={"label": "docker-grade.probe"}) == []


def test_a_change_in_the_folder_grades_the_dockerfile_again(student, tmp_path):
    with WatchProcess("node-multistage", cwd=tmp_path) as watch:
        first = watch.wait_for(lambda u: statuses(u, "node-multistage") is not None)
        assert statuses(first, "node-multistage")["dockerfile-multistage"] == "failed"
        seen = len(watch.updates)

        (tmp_path / "Dockerfile").write_text(
            "FROM node:lts-alpine AS build\nWORKDIR /app\nCOPY . /app/\n"
            'FROM node:lts-alpine\nCOPY --from=build /app /app\nCMD ["node", "index.js"]\n'
        )

        update = watch.wait_for(
            lambda u: (
                (statuses(u, "node-multistage") or {}).get("dockerfile-multistage") == "passed"
            ),
            after=seen,
        )
        assert any(t["kind"] == "file" for t in update["triggers"])


def test_sigterm_during_a_grading_leaves_no_probe(student, tmp_path, docker_client):
    student.network("mybridge", subnet="192.168.0.0/24")
    student.container("busybox", network="mybridge")
    student.container("busybox", network="mybridge")
    with WatchProcess("two-containers-ping", "network-isolation", cwd=tmp_path) as watch:
        watch.wait_for(lambda u: statuses(u, "two-containers-ping") is not None)
        student.container("busybox", network="mybridge")  # a grading with pings starts
        code, took = watch.stop(signal.SIGTERM)

    assert code == 0 and took < 1.5, (code, took, watch.stderr)
    assert docker_client.api.containers(all=True, filters={"label": "docker-grade.probe"}) == []


def test_an_engine_that_goes_away_and_comes_back(docker_client, fixture_images, tmp_path):
    engine = ExtraEngine("dg-watch").start()
    try:
        engine.load_images(docker_client)
        with WatchProcess(
            "custom-bridge", "--docker-host", engine.docker_host, cwd=tmp_path
        ) as watch:
            watch.wait_for(lambda u: statuses(u, "custom-bridge") is not None)
            engine.stop()
            lost = watch.wait_for(lambda u: u["engine_problem"] is not None)
            assert f"the engine at {engine.docker_host} went away" in lost["engine_problem"]
            seen = len(watch.updates)
            engine.start()
            client = engine.client()
            client.networks.create("mybridge", ipam=_subnet("192.168.0.0/24"))
            try:
                back = watch.wait_for(
                    lambda u: (
                        (statuses(u, "custom-bridge") or {}).get("network-subnet") == "passed"
                    ),
                    after=seen,
                    timeout=30,
                )
            finally:
                client.networks.get("mybridge").remove()
                client.close()
            assert back["engine_problem"] is None
            code, _ = watch.stop()
        assert code == 0
    finally:
        engine.stop()


def _subnet(cidr: str):
    import docker

    return docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=cidr)])


def test_the_board_at_80_by_24_in_a_terminal(student, tmp_path):
    student.network("mybridge", subnet="192.168.0.0/16")  # the /16 mistake
    session = f"dg-watch-{tmp_path.name}"[:40]
    command = f"{EXECUTABLE} watch custom-bridge two-containers-ping --lang en"
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "80",
            "-y",
            "24",
            "-c",
            str(tmp_path),
            command,
        ],
        check=True,
    )
    try:
        screen = _screen_once(session, lambda text: "Next" in text)
        lines = screen.splitlines()
        assert all(len(line) <= 80 for line in lines)
        assert lines[0].startswith("docker-grade watch")
        assert any(line.lstrip().startswith("1. custom-bridge") and "2/5" in line for line in lines)
        assert "Next: custom-bridge" in screen and "network-subnet" in screen
        assert "192.168.0.0/24" in screen  # what was expected, in the panel
        subprocess.run(["tmux", "send-keys", "-t", session, "C-c"], check=True)
        _wait(
            lambda: (
                subprocess.run(
                    ["tmux", "has-session", "-t", session], capture_output=True
                ).returncode
                != 0
            ),
            5,
        )
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _screen_once(session: str, ready, timeout: float = 20.0) -> str:
    text = ""

    def captured() -> bool:
        nonlocal text
        text = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout
        return ready(text)

    assert _wait(captured, timeout), text
    return text


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
