"""Connecting to an engine, and turning its failures into one-line messages (exit code 3)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import docker
import requests
from docker.errors import DockerException

from grader.errors import EngineError

API_TIMEOUT_S = 15.0
POOL_SIZE = 16  # at least the probe concurrency, so threads do not wait for a connection


@dataclass(frozen=True)
class HostInfo:
    docker_host: str
    engine_version: str
    api_version: str
    os: str
    engine_id: str


@dataclass
class Engine:
    api: docker.APIClient
    host: HostInfo
    userns_remap: bool = False  # container uids are not host uids (dockerd --userns-remap)

    def close(self) -> None:
        self.api.close()


def connect(docker_host: str | None = None, *, timeout: float = API_TIMEOUT_S,
            tls_dir: Path | None = None) -> Engine:
    """Connects to ``docker_host`` (else ``DOCKER_HOST``, else the local socket), with the
    client certificates of ``tls_dir`` (``ca.pem``, ``cert.pem``, ``key.pem``) when given.

    Raises EngineError with the reason a person can act on.
    """
    kwargs = docker.utils.kwargs_from_env()
    if docker_host:
        kwargs = {"base_url": docker_host}
    if tls_dir:
        kwargs["tls"] = _tls(Path(tls_dir))
    base_url = kwargs.setdefault("base_url", _default_socket())
    with translate_engine_errors(base_url):
        api = docker.APIClient(
            **kwargs,
            version="auto",
            timeout=timeout,
            max_pool_size=POOL_SIZE,
            use_ssh_client=base_url.startswith("ssh://"),
        )
        _settle_environment_settings(api)
        version, info = api.version(), api.info()
    host = HostInfo(
        docker_host=base_url,
        engine_version=version.get("Version", "?"),
        api_version=version.get("ApiVersion", "?"),
        os=info.get("OperatingSystem", "?"),
        engine_id=info.get("ID", "?"),
    )
    remapped = any("name=userns" in option for option in info.get("SecurityOptions") or ())
    return Engine(api=api, host=host, userns_remap=remapped)


def _settle_environment_settings(api: docker.APIClient) -> None:
    """Reads the proxy settings once, here, before any probe thread starts.

    requests otherwise reads them on every call by iterating ``os.environ``; pytest sets and
    deletes PYTEST_CURRENT_TEST in the main thread meanwhile, and an iteration in a probe
    thread that meets the deleted key raised KeyError (a correct solution graded ``error``).
    """
    api.proxies = requests.utils.get_environ_proxies(api.base_url, no_proxy=None)
    api.trust_env = False


def _tls(folder: Path) -> docker.tls.TLSConfig:
    missing = [name for name in ("ca.pem", "cert.pem", "key.pem") if not (folder / name).is_file()]
    if missing:
        raise EngineError(f"{folder}: missing TLS file(s) {', '.join(missing)}")
    return docker.tls.TLSConfig(client_cert=(str(folder / "cert.pem"), str(folder / "key.pem")),
                                ca_cert=str(folder / "ca.pem"), verify=True)


def _default_socket() -> str:
    return "unix:///var/run/docker.sock" if os.name != "nt" else "npipe:////./pipe/docker_engine"


@contextlib.contextmanager
def translate_engine_errors(docker_host: str) -> Iterator[None]:
    """Turns the ways an engine fails to answer into an EngineError naming the host."""
    try:
        yield
    except (DockerException, requests.RequestException, OSError) as error:
        raise EngineError(f"cannot use the Docker engine at {docker_host}: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    text = str(error)
    if "Permission denied" in text or isinstance(error, PermissionError):
        return ("permission denied on the socket (add your user to the 'docker' group, "
                "or run with sudo)")
    if "FileNotFoundError" in text or "No such file" in text or "Connection refused" in text:
        return "no engine answers there (is Docker running?)"
    if "timed out" in text.lower() or isinstance(error, requests.Timeout):
        return "the engine did not answer in time"
    return text.splitlines()[0] if text else type(error).__name__
