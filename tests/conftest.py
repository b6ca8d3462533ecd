"""Fixtures for tests against a real Docker engine (see .ci/run, which starts one)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import docker
import pytest

from support.student import StudentHost, remove_leftovers

_IMAGES = Path(__file__).parent / "images" / "build.py"


def _load_image_builder():
    spec = importlib.util.spec_from_file_location("fixture_images", _IMAGES)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except docker.errors.DockerException as error:
        pytest.fail(f"these tests need a Docker engine (bash .ci/run starts one): {error}")
    remove_leftovers(client)
    _require_a_clean_engine(client)
    yield client
    remove_leftovers(client)
    client.close()


def _require_a_clean_engine(client: docker.DockerClient) -> None:
    """Discovery grades whatever runs: a container or network of someone else's would change
    the verdicts these tests expect, so they refuse to run beside one."""
    containers = [c["Names"][0] for c in client.api.containers(all=True)]
    networks = [n["Name"] for n in client.api.networks() if n["Name"] not in ("bridge", "host", "none")]
    if containers or networks:
        pytest.exit(f"the engine is not clean (containers: {containers}, networks: {networks}); "
                    "these tests need one with no other containers or networks", returncode=1)


@pytest.fixture(scope="session")
def fixture_images(docker_client) -> None:
    """busybox, nginx:alpine and node:lts-alpine, built offline once per machine."""
    _load_image_builder().ensure_images(quiet=True)


@pytest.fixture
def student(docker_client, fixture_images) -> StudentHost:
    """A student's host state, built by the test and removed afterwards, pass or fail."""
    host = StudentHost(docker_client)
    yield host
    host.remove_all()


LYING_PING_IMAGES = {
    # A student image whose own ping lies must change no verdict: probes never use it.
    "docker-grade-test/ping-always-succeeds": "FROM busybox\nRUN rm /bin/ping && "
    "printf '#!/bin/sh\\necho 64 bytes from $1\\nexit 0\\n' > /bin/ping && chmod +x /bin/ping\n",
    "docker-grade-test/ping-always-fails": "FROM busybox\nRUN rm /bin/ping && "
    "printf '#!/bin/sh\\nexit 1\\n' > /bin/ping && chmod +x /bin/ping\n",
    "docker-grade-test/no-ping": "FROM busybox\nRUN rm /bin/ping\n",
}


@pytest.fixture(scope="session")
def lying_images(docker_client, fixture_images) -> dict[str, str]:
    host = StudentHost(docker_client)
    for tag, dockerfile in LYING_PING_IMAGES.items():
        host.build(tag, dockerfile)
    yield {tag.split("/")[1]: tag for tag in LYING_PING_IMAGES}
    host.remove_all()


@pytest.fixture(scope="session")
def node_images(docker_client, fixture_images) -> dict[str, str]:
    """The course's mine/node image and typical wrong ones, built once, under test tags."""
    from support.node_app import (APP_FILES, FIXED_DOCKERFILE, ROOT_DOCKERFILE,
                                  SINGLE_STAGE_SHELL_CMD)

    host = StudentHost(docker_client)
    recipes = {"good": FIXED_DOCKERFILE, "single-stage": SINGLE_STAGE_SHELL_CMD,
               "root": ROOT_DOCKERFILE}
    tags = {}
    for name, dockerfile in recipes.items():
        tags[name] = f"docker-grade-test/node-{name}"
        host.build(tags[name], dockerfile, APP_FILES)
    yield tags
    host.remove_all()
