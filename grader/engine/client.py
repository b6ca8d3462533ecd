"""Connecting to an engine, and turning its failures into one-line messages (exit code 3)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import docker
import requests
from docker.errors import DockerException

from grader.engine.contexts import Endpoint, resolve_endpoint
from grader.engine.defaults import API_TIMEOUT_S  # noqa: F401 (part of this module's API)
from grader.engine.local_socket import Inspect, container_inspector, keep_connections_alive
from grader.engine.podman import product_of
from grader.errors import EngineError
from grader.report.models import ChosenBy

POOL_SIZE = 16  # at least the probe concurrency, so threads do not wait for a connection
# A local socket's one pool (grader.engine.local_socket) serves every call at once: the probes'
# threads, the plans side by side, each reading a crowd INSPECT_WORKERS at a time. A connection
# beyond it would be closed after its call, with urllib3's warning on stderr.
KEPT_ALIVE = 96


@dataclass(frozen=True)
class HostInfo:
    docker_host: str
    chosen_by: ChosenBy
    context: str | None
    engine_version: str
    api_version: str
    os: str
    engine_id: str
    product: str = "docker"  # or "podman" behind its Docker API (grader.engine.podman)


SSH_PARALLEL_CALLS = 3


@dataclass
class Engine:
    api: docker.APIClient
    host: HostInfo
    endpoint: Endpoint
    userns_remap: bool = False  # container uids are not host uids (dockerd --userns-remap)
    rootless: bool = False  # the engine runs as a user: root in a container is that user
    # a container's inspect, cheaper than docker-py's on a local socket (local_socket)
    inspect_container: Inspect = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.inspect_container is None:
            self.inspect_container = self.api.inspect_container

    @property
    def parallel_calls(self) -> int:
        """How many Engine API calls may be under way at once. Over ssh:// each is an ssh
        session of its own, and sshd drops new sessions past its MaxStartups (10 by default):
        a few at a time, so a student's host never sees a burst it refuses. Elsewhere, as many
        as the connection pool holds: a whole course's probes start at once."""
        return SSH_PARALLEL_CALLS if self.host.docker_host.startswith("ssh://") else POOL_SIZE

    def close(self) -> None:
        self.api.close()


def connect(
    docker_host: str | None = None,
    *,
    context: str | None = None,
    timeout: float = API_TIMEOUT_S,
    tls_dir: Path | None = None,
) -> Engine:
    """Connects to the engine the student means: ``docker_host``, else the docker CLI context
    ``context``, else as the docker CLI finds it (see grader.engine.contexts), with the client
    certificates of ``tls_dir`` (``ca.pem``, ``cert.pem``, ``key.pem``) when given.

    Raises EngineError with what was tried and the reason a person can act on, UsageError for
    a context that does not exist.
    """
    endpoint = resolve_endpoint(docker_host=docker_host, context=context, tls_dir=tls_dir)
    return connect_to(endpoint, timeout=timeout)


def connect_to(endpoint: Endpoint, *, timeout: float = API_TIMEOUT_S) -> Engine:
    with translate_engine_errors(endpoint):
        api = docker.APIClient(
            base_url=endpoint.url,
            tls=endpoint.tls or False,
            version="auto",
            timeout=timeout,
            max_pool_size=POOL_SIZE,
            use_ssh_client=endpoint.url.startswith("ssh://"),
        )
        _settle_environment_settings(api)
        local_pool = keep_connections_alive(api, KEPT_ALIVE)
        version, info = api.version(), api.info()
    host = HostInfo(
        docker_host=endpoint.url,
        chosen_by=endpoint.chosen_by,
        context=endpoint.context,
        engine_version=version.get("Version", "?"),
        api_version=version.get("ApiVersion", "?"),
        os=info.get("OperatingSystem", "?"),
        engine_id=info.get("ID", "?"),
        product=product_of(version),
    )
    options = info.get("SecurityOptions") or ()
    return Engine(
        api=api,
        host=host,
        endpoint=endpoint,
        userns_remap=any("name=userns" in option for option in options),
        rootless=any("name=rootless" in option for option in options),  # docker and podman
        inspect_container=container_inspector(api, local_pool),
    )


def _settle_environment_settings(api: docker.APIClient) -> None:
    """Reads the proxy settings once, here, before any probe thread starts.

    requests otherwise reads them on every call by iterating ``os.environ``; pytest sets and
    deletes PYTEST_CURRENT_TEST in the main thread meanwhile, and an iteration in a probe
    thread that meets the deleted key raised KeyError (a correct solution graded ``error``).
    """
    api.proxies = requests.utils.get_environ_proxies(api.base_url, no_proxy=None)
    api.trust_env = False


@contextlib.contextmanager
def translate_engine_errors(engine: Endpoint | str) -> Iterator[None]:
    """Turns the ways an engine fails to answer into an EngineError saying what was tried:
    ``engine`` is the endpoint, or an address given as is."""
    if isinstance(engine, str):
        engine = Endpoint(engine, ChosenBy.OPTION)
    try:
        yield
    except (DockerException, requests.RequestException, OSError) as error:
        raise EngineError(f"{engine.subject()}: {_reason(error, engine)}") from None


def _reason(error: BaseException, engine: Endpoint) -> str:
    text = str(error)
    if "Permission denied" in text or isinstance(error, PermissionError):
        return (
            "permission denied on the socket (add your user to the 'docker' group, "
            "or run with sudo)"
        )
    if "FileNotFoundError" in text or "No such file" in text or "Connection refused" in text:
        return f"no engine answers there ({engine.start_hint()})"
    if "timed out" in text.lower() or isinstance(error, requests.Timeout):
        return "the engine did not answer in time"
    return text.splitlines()[0] if text else type(error).__name__
