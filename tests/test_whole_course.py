"""`docker-grade check` with no argument, on a host where all eight solutions are in place."""

import os
import subprocess
from pathlib import Path

from support.cli import grade
from support.node_app import write_project


def all_solutions(student, node_images, folder: Path, docker_host: str | None = None) -> None:
    """The course, in order, as a student types it, from one folder (on the engine at
    ``docker_host``, the default one when None)."""
    write_project(folder)
    student.tag(node_images["good"], "mine/node")
    app = student.container("mine/node", interactive=False, tty=False, port_bindings={8080: 8181})
    student.container("busybox")  # A and B, run -it
    student.container("busybox")
    env = {**os.environ, "DOCKER_HOST": docker_host} if docker_host else None
    save = ["docker", "save", "-o", str(folder / "myimage.tar"), "mine/node"]
    subprocess.run(save, check=True, env=env)
    student.network("mybridge", subnet="192.168.0.0/24")
    student.container("busybox", network="mybridge")
    student.network("othernet")
    student.container("busybox", network="mybridge")  # A on one bridge network...
    student.container("busybox", network="othernet")  # ...B on another
    (folder / "nginx").mkdir()
    (folder / "nginx" / "index.html").write_text("<h1>my page</h1>\n")
    student.wait_running(
        student.container(
            "nginx:alpine", name="mynginx", binds=[f"{folder}/nginx:/usr/share/nginx/html:ro"]
        )
    )
    student.container(
        "busybox",
        binds=["/var/log/:/youpi"],
        command=["sh", "-c", "touch /youpi/escalation.txt; exec sh"],
    )
    student.wait_running(
        student.container(
            "mine/node",
            interactive=False,
            tty=False,
            mem_limit="256m",
            nano_cpus=500_000_000,
            pids_limit=100,
        )
    )
    student.wait_log(app, "listening")


def test_the_whole_course_in_one_run_gets_full_score(student, node_images, tmp_path, proof_file):
    all_solutions(student, node_images, tmp_path)

    run = grade(cwd=tmp_path)

    failing = {
        (e["id"], c["id"]): c["message"]
        for e in run.report["exercises"]
        for c in e["checks"]
        if c["status"] != "passed"
    }
    assert failing == {}
    assert [e["id"] for e in run.report["exercises"]] == [
        "node-multistage",
        "two-containers-ping",
        "image-save",
        "custom-bridge",
        "network-isolation",
        "nginx-ro-volume",
        "volume-escalation",
        "best-practices",
    ]
    assert run.report["score"] == run.report["max_score"] == 48.0
    assert run.exit_code == 0
