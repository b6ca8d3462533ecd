"""Grading leaves the engine as it found it, and no probe container behind, even on Ctrl-C."""

import signal
import subprocess
import time

from support.cli import EXECUTABLE, grade

PROBE_LABEL = "docker-grade.probe"


def engine_state(client):
    api = client.api
    return {
        "containers": sorted((c["Id"], c["State"]) for c in api.containers(all=True)),
        "networks": sorted(n["Id"] for n in api.networks()),
        "volumes": sorted(v["Name"] for v in api.volumes()["Volumes"] or ()),
        "images": sorted(i["Id"] for i in api.images(all=True)),
    }


def probes_left(client):
    # The low-level list: probes come and go faster than the SDK's list can inspect them.
    return client.api.containers(all=True, filters={"label": PROBE_LABEL})


def course_solutions(student, tmp_path):
    student.network("mybridge", subnet="192.168.0.0/24")
    student.container("busybox", network="mybridge")
    student.network("net-b")
    student.container("busybox", network="net-b")
    site = tmp_path / "nginx"
    site.mkdir()
    (site / "index.html").write_text("<p>mine</p>")
    nginx = student.container(
        "nginx:alpine", name="mynginx", binds=[f"{site}:/usr/share/nginx/html:ro"]
    )
    paused = student.container("busybox", name="paused-one")
    paused.pause()
    stopped = student.container("busybox", name="stopped-one", interactive=False, tty=False)
    stopped.wait(timeout=10)  # sh without stdin exits: let it, before "before" is read
    student.wait_running(nginx)


def test_grading_changes_nothing_on_the_engine(student, docker_client, tmp_path):
    course_solutions(student, tmp_path)
    before = engine_state(docker_client)

    run = grade("custom-bridge", "network-isolation", "nginx-ro-volume")

    assert run.report["score"] == run.report["max_score"]
    assert engine_state(docker_client) == before
    assert probes_left(docker_client) == []


def test_ctrl_c_in_the_middle_removes_every_probe(student, docker_client, tmp_path):
    course_solutions(student, tmp_path)
    before = engine_state(docker_client)
    process = subprocess.Popen(
        [EXECUTABLE, "check"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not probes_left(docker_client) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert probes_left(docker_client), "no probe was ever started"

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert probes_left(docker_client) == []
    assert engine_state(docker_client) == before
