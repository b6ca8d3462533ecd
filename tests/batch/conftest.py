"""Three students' hosts for class grading; the engines themselves (and the ssh:// access to
one of them) are the root conftest's."""

from __future__ import annotations

import pytest

from support.student import StudentHost


@pytest.fixture
def students(class_engines):
    """A StudentHost on each engine; whatever a test builds there is removed after it."""
    hosts = [StudentHost(engine.client()) for engine in class_engines]
    yield hosts
    for host in hosts:
        host.remove_all()
        host.client.close()
