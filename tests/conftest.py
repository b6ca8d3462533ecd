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
    yield client
    remove_leftovers(client)
    client.close()


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
