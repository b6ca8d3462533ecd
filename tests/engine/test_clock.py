"""An engine whose host runs on local time (a student in Paris): its SystemTime carries an
offset, its containers' times are UTC, and every comparison of the two must hold."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from support.cli import EXECUTABLE
from support.engines import ExtraEngine
from support.student import StudentHost


@pytest.fixture
def paris_host(docker_client, fixture_images, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")  # dockerd inherits it
    engine = ExtraEngine("dg-paris").start()
    try:
        engine.load_images(docker_client)
        host = StudentHost(engine.client())
        yield engine, host
        host.remove_all()
        host.client.close()
    finally:
        engine.stop()


def test_a_host_on_local_time_is_graded_as_one_on_utc(paris_host, tmp_path):
    engine, host = paris_host
    assert host.client.info()["SystemTime"][-6:] in ("+01:00", "+02:00")
    site = tmp_path / "nginx"
    site.mkdir()
    (site / "index.html").write_text("<p>mine</p>\n")
    # Graded at once, nginx listens 2 s later: the wait compares its start with the snapshot.
    nginx = host.container(
        "nginx:alpine",
        name="mynginx",
        binds=[f"{site}:/usr/share/nginx/html:ro"],
        command=["sh", "-c", "sleep 2; exec nginx -g 'daemon off;'"],
    )
    host.network("mynet")
    a, b = host.container("busybox", network="mynet"), host.container("busybox", network="mynet")
    # A bystander restarting in a loop: whether it is steady compares the same two clocks.
    looping = host.container(
        "busybox",
        network="mynet",
        command=["sh", "-c", "sleep 1; exit 1"],
        restart_policy={"Name": "always"},
    )
    for container in (nginx, a, b):
        host.wait_running(container)
    _wait_for_a_restart(host, looping)

    run = subprocess.run(
        [EXECUTABLE, "check", "nginx-ro-volume", "two-containers-ping", "--format", "json"]
        + ["--docker-host", engine.docker_host],
        capture_output=True,
        text=True,
        timeout=120,
    )

    report = json.loads(run.stdout)
    statuses = {
        (e["id"], c["id"]): (c["status"], c["message"])
        for e in report["exercises"]
        for c in e["checks"]
    }
    assert {k: v for k, v in statuses.items() if v[0] != "passed"} == {}, run.stderr
    pair = report["exercises"][1]["checks"][0]["evidence"]
    assert {pair["a"].split()[0], pair["b"].split()[0]} == {a.name, b.name}


def _wait_for_a_restart(host: StudentHost, container, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.api.inspect_container(container.id)["RestartCount"] > 0:
            return
        time.sleep(0.1)
    raise AssertionError("the looping container never restarted")
