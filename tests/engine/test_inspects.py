"""Container inspects over the local socket (urllib3 alone) on a real engine: the same JSON as
docker-py's, the same errors."""

import pytest
import requests
from docker.errors import NotFound

from grader.engine.client import connect
from grader.engine.inspects import SocketInspector, container_inspector


@pytest.fixture
def engine(docker_client):
    engine = connect()
    yield engine
    engine.close()


def test_a_local_engine_is_read_over_its_socket_with_docker_pys_answer(student, engine):
    container = student.container("busybox", name="inspected")

    assert isinstance(engine.inspect_container, SocketInspector)
    read = engine.inspect_container(container.id)
    expected = engine.api.inspect_container(container.id)
    assert read["Id"] == expected["Id"] and read["Config"] == expected["Config"]
    assert read["Name"] == "/inspected"


def test_a_container_gone_is_docker_pys_not_found(engine):
    with pytest.raises(NotFound):
        engine.inspect_container("0" * 64)


def test_a_socket_nobody_listens_on_is_a_connection_error(engine, tmp_path):
    inspect = SocketInspector(engine.api, str(tmp_path / "nothing.sock"), connections=2)
    with pytest.raises(requests.ConnectionError):
        inspect("anything")


def test_other_engines_are_read_through_docker_py(engine):
    inspect = container_inspector(engine.api, "tcp://127.0.0.1:2375", connections=2)
    assert inspect == engine.api.inspect_container
