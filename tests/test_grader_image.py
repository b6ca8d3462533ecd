"""The grader as an image (the project's Dockerfile), for students without Python: built
offline here, it gives the same verdicts as the installed grader on the same engine.

No registry is reachable, so the image starts FROM the local docker-grade-base:python3
(tests/images/build.py) instead of python:3.11-slim, and pip installs the wheels built on the
host beforehand (`pip wheel .`), not PyPI's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docker
import pytest

from support.cli import grade
from support.student import LABELS

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "docker-grade-test/grader"
BUILD_TIMEOUT_S = 600  # cold: the base image and every wheel; warm: a few seconds
# two-containers-ping: the grader's own container (on the default bridge, beside mynginx) must
# not be taken for A or B.
EXERCISES = ("custom-bridge", "two-containers-ping", "nginx-ro-volume")
MY_PAGE = "<h1>my own page</h1>\n"
BUILD_STAGE_STEP = "python3 -m venv /opt/docker-grade"  # the Dockerfile's first stage's RUN


def _image_builder():
    spec = importlib.util.spec_from_file_location(
        "fixture_images", ROOT / "tests" / "images" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def grader_image(docker_client, fixture_images, tmp_path_factory) -> str:
    """The project's Dockerfile built as a user would, but offline: a build context of the
    Dockerfile and a wheels/ folder; the old image is removed when a rebuild replaces it."""
    builder = _image_builder()
    builder.ensure_base_image(quiet=True)
    context = tmp_path_factory.mktemp("grader-image")
    shutil.copy(ROOT / "Dockerfile", context / "Dockerfile")
    started = time.monotonic()
    wheels = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", str(ROOT), "-w", str(context / "wheels")],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert wheels.returncode == 0, wheels.stderr[-2000:]
    previous = _image_id(docker_client, IMAGE)
    _build(docker_client, context, base=builder.BASE_TAG)
    if previous and previous != _image_id(docker_client, IMAGE):
        _quietly_remove_image(docker_client, previous)
    _drop_stale_build_stages(docker_client)
    print(f"\n{IMAGE}: wheels and build in {time.monotonic() - started:.1f}s")
    return IMAGE


def _build(client: docker.DockerClient, context: Path, *, base: str) -> None:
    """The legacy builder, as `DOCKER_BUILDKIT=0 docker build --build-arg BASE=...` runs it."""
    stream = client.api.build(
        path=str(context),
        tag=IMAGE,
        rm=True,
        forcerm=True,
        decode=True,
        buildargs={"BASE": base},
        timeout=BUILD_TIMEOUT_S,
    )
    log = []
    for chunk in stream:
        log.append(chunk.get("stream", ""))
        if "error" in chunk:
            pytest.fail(
                f"docker build of the grader's image failed: {chunk['error']}\n"
                + "".join(log)[-3000:]
            )


def _drop_stale_build_stages(client: docker.DockerClient) -> None:
    """The legacy builder leaves the image of the Dockerfile's first stage untagged: the newest
    is the next build's cache, the older ones would pile up (some 80 MB per source change)."""
    stages = []
    for image in client.api.images(filters={"dangling": True}):
        last_step = client.api.history(image["Id"])[0].get("CreatedBy", "")
        if BUILD_STAGE_STEP in last_step:
            stages.append((image["Created"], image["Id"]))
    for _, image_id in sorted(stages)[:-1]:
        _quietly_remove_image(client, image_id)


def _image_id(client: docker.DockerClient, tag: str) -> str | None:
    try:
        return client.api.inspect_image(tag)["Id"]
    except docker.errors.ImageNotFound:
        return None


def _quietly_remove_image(client: docker.DockerClient, image_id: str) -> None:
    try:
        client.api.remove_image(image_id)
    except docker.errors.APIError:
        pass  # still used by something: left for docker image prune


def engine_socket() -> str:
    """The host path of the engine's socket, which the grader's container is given."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.skip(f"the grader's image is given a unix socket; DOCKER_HOST is {host}")
    return host.removeprefix("unix://")


def run_grader_image(
    client: docker.DockerClient,
    image: str,
    folder: Path,
    *args: str,
    entrypoint: list[str] | None = None,
) -> tuple[int, str, str]:
    """docker run --rm -v SOCKET:/var/run/docker.sock -v "$PWD":/work -w /work IMAGE ARGS"""
    api = client.api
    container = api.create_container(
        image,
        command=list(args),
        working_dir="/work",
        labels=LABELS,
        entrypoint=entrypoint,
        host_config=api.create_host_config(
            binds=[f"{engine_socket()}:/var/run/docker.sock", f"{folder}:/work"]
        ),
    )
    try:
        api.start(container)
        code = api.wait(container, timeout=300)["StatusCode"]
        stdout = api.logs(container, stdout=True, stderr=False).decode()
        stderr = api.logs(container, stdout=False, stderr=True).decode()
        return code, stdout, stderr
    finally:
        api.remove_container(container, force=True)


def statuses(report: dict) -> dict[str, dict[str, str]]:
    return {
        exercise["id"]: {check["id"]: check["status"] for check in exercise["checks"]}
        for exercise in report["exercises"]
    }


@pytest.fixture
def course_folder(tmp_path) -> Path:
    """The student's folder, as in the course: ./nginx/index.html."""
    folder = tmp_path / "course"
    (folder / "nginx").mkdir(parents=True)
    (folder / "nginx" / "index.html").write_text(MY_PAGE)
    return folder


@pytest.mark.parametrize(
    "subnet, network_subnet", [("192.168.0.0/24", "passed"), ("192.168.0.0/16", "failed")]
)
def test_the_image_grades_as_the_installed_grader(
    grader_image, docker_client, student, course_folder, subnet, network_subnet
):
    student.network("mybridge", subnet=subnet)
    student.container("busybox", network="mybridge")
    nginx = student.container(
        "nginx:alpine",
        name="mynginx",
        binds=[f"{course_folder / 'nginx'}:/usr/share/nginx/html:ro"],
    )
    student.wait_running(nginx)

    installed = grade(*EXERCISES, cwd=course_folder)
    # The folder is at /work in the grader's container, not at its host path: the probes are
    # the engine's containers and are given the host's paths, which the engine reports.
    code, stdout, stderr = run_grader_image(
        docker_client,
        grader_image,
        course_folder,
        "check",
        *EXERCISES,
        "--format",
        "json",
        "--lang",
        "en",
    )

    assert code == installed.exit_code, stderr
    from_image = json.loads(stdout)
    assert statuses(from_image) == statuses(installed.report)
    assert statuses(from_image)["custom-bridge"]["network-subnet"] == network_subnet
    assert set(statuses(from_image)["nginx-ro-volume"].values()) == {"passed"}
    assert from_image["host"]["engine_id"] == installed.report["host"]["engine_id"]
    assert from_image["score"] == installed.report["score"]


def test_the_image_keeps_the_grader_not_its_sources_wheels_or_pip(
    grader_image, docker_client, tmp_path
):
    code, stdout, stderr = run_grader_image(
        docker_client, grader_image, tmp_path, "list", "--format", "json"
    )
    left = run_grader_image(
        docker_client,
        grader_image,
        tmp_path,
        "-c",
        "ls -d /src /opt/docker-grade/bin/pip* 2>/dev/null; true",
        entrypoint=["sh"],
    )

    assert code == 0, stderr
    assert "custom-bridge" in {row["id"] for row in json.loads(stdout)}
    assert left == (0, "", "")
    config = docker_client.api.inspect_image(grader_image)["Config"]
    assert config["Entrypoint"] == ["docker-grade"] and config["Cmd"] == ["check"]
    assert config["WorkingDir"] == "/work"
    size_mb = docker_client.api.inspect_image(grader_image)["Size"] / 1e6
    assert size_mb < 300, f"{size_mb:.0f} MB"
