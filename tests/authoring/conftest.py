from __future__ import annotations

import pytest

from support.engines import ExtraEngine
from support.student import remove_leftovers

COURSE_IMAGES = ("busybox:latest", "nginx:alpine", "node:lts-alpine")


@pytest.fixture(scope="session")
def throwaway_engine(docker_client, fixture_images):
    """An engine of its own (network namespace dg-selftest) holding only the course's images,
    as an instructor's throwaway engine would."""
    engine = ExtraEngine("dg-selftest").start()
    try:
        engine.load_images(docker_client, images=COURSE_IMAGES)
        client = engine.client()
        remove_leftovers(client)
        for container in client.api.containers(all=True):
            client.api.remove_container(container["Id"], force=True, v=True)
        client.close()
        yield engine
    finally:
        engine.stop()
