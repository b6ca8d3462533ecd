"""An engine on its local socket, on a real engine: one pool of connections kept alive, and
inspects read with urllib3 alone that give docker-py's answer and docker-py's errors."""

import docker
import pytest
import requests
from docker.errors import NotFound
from docker.transport.unixconn import UnixHTTPConnectionPool

from grader.engine.local_socket import (
    SocketInspector,
    container_inspector,
    keep_connections_alive,
)


def test_a_local_engine_is_read_over_its_socket_with_docker_pys_answer(student, engine):
    container = student.container("busybox", name="inspected")

    assert isinstance(engine.inspect_container, SocketInspector)
    read = engine.inspect_container(container.id)
    expected = engine.api.inspect_container(container.id)
    assert read["Id"] == expected["Id"] and read["Config"] == expected["Config"]
    assert read["Name"] == "/inspected"


def test_calls_about_many_containers_share_kept_alive_connections(student, engine):
    containers = [student.container("busybox") for _ in range(3)]
    pool, made = engine.inspect_container.pool, []
    new_connection = pool._new_conn
    pool._new_conn = lambda: made.append(1) or new_connection()

    for container in containers:  # a URL of its own each, and an inspect each
        engine.api.top(container.id)
        engine.inspect_container(container.id)

    assert len(made) <= 1  # docker-py alone opened one a container
    adapter = engine.api.get_adapter("http+docker://localhost")
    (key,) = adapter.pools.keys()  # one pool for the socket, not one a URL
    assert adapter.pools[key] is pool


def test_a_container_gone_is_docker_pys_not_found(engine):
    with pytest.raises(NotFound):
        engine.inspect_container("0" * 64)


def test_a_socket_nobody_listens_on_is_a_connection_error(engine, tmp_path):
    pool = UnixHTTPConnectionPool("http+docker://localhost", str(tmp_path / "nothing.sock"))
    inspect = SocketInspector(pool, engine.api.api_version, timeout=5)
    with pytest.raises(requests.ConnectionError):
        inspect("anything")


def test_other_engines_are_read_through_docker_py(engine):
    assert container_inspector(engine.api, None) == engine.api.inspect_container


@pytest.mark.parametrize("tls", [False, True])
def test_a_tcp_engine_keeps_docker_pys_transport(tls):
    # made without a call (an explicit version): nothing listens there
    api = docker.APIClient(base_url="tcp://127.0.0.1:9", version="1.41", tls=tls)
    adapters = dict(api.adapters)

    assert keep_connections_alive(api, 4) is None
    assert dict(api.adapters) == adapters
