"""An engine on a local socket, at a crowd's cost: connections kept alive, inspects read lean.

docker-py keys its unix-socket connection pools by URL: every container's calls opened a
connection of their own, and closed one of the 25 kept. Mounted here, one pool serves the
socket and keeps its connections alive across calls.

A student's host may also hold hundreds of containers that a discovery must read (a stack
started after the exercises is newer than them). Through docker-py an inspect costs the grader
about 0.5 ms of CPU in requests' machinery; urllib3 alone, on the same pool, reads the same JSON
for half of that. Elsewhere (tcp, ssh), docker-py's own ``inspect_container`` reads it.

>>> inspect = container_inspector(api, keep_connections_alive(api, 16))   # doctest: +SKIP
>>> inspect("3f4e9c")["Config"]["Tty"]                                     # doctest: +SKIP
True
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import quote

import docker
import requests
import urllib3
from docker.errors import APIError, NotFound
from docker.transport.unixconn import UnixHTTPAdapter, UnixHTTPConnectionPool

Inspect = Callable[[str], dict[str, Any]]
_ONE_POOL = "http+docker://localhost"  # the key of the socket's one pool
_MOUNT = "http+docker://"  # where docker-py mounts its socket adapter


class _OnePoolAdapter(UnixHTTPAdapter):
    def get_connection(self, url, proxies=None):
        return super().get_connection(_ONE_POOL, proxies)


def keep_connections_alive(
    api: docker.APIClient, connections: int
) -> UnixHTTPConnectionPool | None:
    """Gives an engine on a unix socket one pool of ``connections`` kept alive, and returns
    it; None for any other engine (tcp, ssh: their pools are kept by host already)."""
    # what is mounted, not get_adapter: on tcp that falls back to an attribute docker-py
    # sets only for some transports
    adapter = api.adapters.get(_MOUNT)
    if type(adapter) is not UnixHTTPAdapter:
        return None
    socket_url = f"http+unix://{adapter.socket_path}"
    one = _OnePoolAdapter(socket_url, api.timeout, max_pool_size=connections)
    api.mount(_MOUNT, one)
    adapter.close()
    return one.get_connection(_ONE_POOL)


def container_inspector(api: docker.APIClient, pool: UnixHTTPConnectionPool | None) -> Inspect:
    """What reads a container's inspect (docker's NotFound when it is gone): urllib3 on the
    socket's ``pool``, else docker-py's own ``inspect_container``."""
    if pool is None:
        return api.inspect_container
    return SocketInspector(pool, api.api_version, api.timeout)


class SocketInspector:
    """``GET /containers/{id}/json`` with urllib3 alone; the errors are docker-py's and
    requests' own, so that callers handle one set."""

    def __init__(self, pool: UnixHTTPConnectionPool, api_version: str, timeout: float):
        self.pool, self.version = pool, api_version
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)

    def __call__(self, container_id: str) -> dict[str, Any]:
        path = f"/v{self.version}/containers/{quote(container_id, safe='')}/json"
        try:
            response = self.pool.request("GET", path, retries=False, timeout=self.timeout)
        except urllib3.exceptions.ReadTimeoutError as error:
            raise requests.ReadTimeout(str(error)) from None
        except urllib3.exceptions.HTTPError as error:
            raise requests.ConnectionError(str(error)) from None
        if response.status == 404:
            raise NotFound(_message(response), explanation=_message(response))
        if response.status >= 400:
            raise APIError(_message(response), explanation=_message(response))
        return json.loads(response.data)


def _message(response: urllib3.BaseHTTPResponse) -> str:
    try:
        return json.loads(response.data).get("message") or f"HTTP {response.status}"
    except (ValueError, AttributeError):
        return f"HTTP {response.status}: {response.data[:200].decode(errors='replace')}"
