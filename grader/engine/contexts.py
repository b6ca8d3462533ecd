"""Which engine the student means, found the way the docker CLI finds it.

The docker CLI's order (cli/command/cli.go, ``resolveContextName``): ``--host`` or
``--context`` (never both), then ``DOCKER_HOST``, then ``DOCKER_CONTEXT``, then the
``currentContext`` of its config.json, then the platform's socket. A student on colima, Docker
Desktop or OrbStack has a current context and no engine on /var/run/docker.sock: ``docker ps``
works for them, so ``docker-grade check`` must too.

>>> resolve_endpoint(environ={"DOCKER_HOST": "tcp://lab-01:2375"}).chosen_by
<ChosenBy.ENV: 'env'>
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Mapping

import docker
import docker.context.config
from docker.context import ContextAPI
from docker.tls import TLSConfig

from grader.errors import EngineError, UsageError
from grader.report.models import ChosenBy

DEFAULT_CONTEXT = "default"  # the docker CLI's name for "DOCKER_HOST, else the platform socket"

# What to start when a context's engine does not answer: a context is usually named after the
# tool that made it (colima, colima-PROFILE, desktop-linux, orbstack, rancher-desktop).
_TOOLS_BY_CONTEXT_PREFIX = {
    "colima": "colima",
    "desktop-": "Docker Desktop",
    "orbstack": "OrbStack",
    "rancher-desktop": "Rancher Desktop",
    "podman": "podman machine",
}


@dataclass(frozen=True)
class Endpoint:
    """An engine address, how it was chosen, and the TLS settings to reach it with."""

    url: str
    chosen_by: ChosenBy
    context: str | None = None
    origin: str | None = None  # what named the context: "--context", "DOCKER_CONTEXT", "current"
    tls: TLSConfig | None = None

    def subject(self) -> str:
        """What was tried, as the start of a one-line error."""
        if self.chosen_by is ChosenBy.ENV:
            return f"DOCKER_HOST points to {self.url}"
        if self.chosen_by is ChosenBy.CONTEXT:
            if self.origin == "current":
                return f"the current context '{self.context}' points to {self.url}"
            return f"the context '{self.context}' ({self.origin}) points to {self.url}"
        return f"cannot use the Docker engine at {self.url}"

    def start_hint(self) -> str:
        """What to start when nothing answers there."""
        if self.chosen_by is not ChosenBy.CONTEXT:
            return "is Docker running?"
        tool = next(
            (
                tool
                for prefix, tool in _TOOLS_BY_CONTEXT_PREFIX.items()
                if self.context.startswith(prefix)
            ),
            None,
        )
        return f"is {tool} started?" if tool else "is its engine started?"


def resolve_endpoint(
    *,
    docker_host: str | None = None,
    context: str | None = None,
    tls_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Endpoint:
    """The engine ``--docker-host``/``--context`` and the environment name, without connecting.

    Raises UsageError for a context that does not exist (naming those that do), EngineError
    for a ``tls_dir`` that lacks a certificate.
    """
    environ = os.environ if environ is None else environ
    endpoint = _resolve(docker_host, context, environ)
    if tls_dir:  # the explicit option wins over a context's or the environment's TLS
        endpoint = replace(endpoint, tls=tls_from_dir(Path(tls_dir)))
    return endpoint


def _resolve(docker_host: str | None, context: str | None, environ: Mapping[str, str]) -> Endpoint:
    if docker_host and context:
        raise UsageError("--docker-host and --context both name an engine: give only one")
    if docker_host:
        return Endpoint(docker_host, ChosenBy.OPTION, tls=_tls_from_environment(environ))
    name, origin = _named_context(context, environ)
    if name != DEFAULT_CONTEXT:
        return context_endpoint(name, origin, environ)
    if environ.get("DOCKER_HOST"):
        return Endpoint(environ["DOCKER_HOST"], ChosenBy.ENV, tls=_tls_from_environment(environ))
    return _platform_default(environ)


def _named_context(context: str | None, environ: Mapping[str, str]) -> tuple[str, str]:
    """The context that names the engine, and what named it, in the docker CLI's order
    (``resolveContextName`` in its cli/command/cli.go): with DOCKER_HOST set, the docker CLI
    uses its ``default`` context, which is DOCKER_HOST."""
    if context:
        return context, "--context"
    if environ.get("DOCKER_HOST"):
        return DEFAULT_CONTEXT, "DOCKER_HOST"
    if environ.get("DOCKER_CONTEXT"):
        return environ["DOCKER_CONTEXT"], "DOCKER_CONTEXT"
    return current_context_name(environ), "current"


def _platform_default(environ: Mapping[str, str]) -> Endpoint:
    return Endpoint(default_socket(), ChosenBy.DEFAULT, tls=_tls_from_environment(environ))


def default_socket() -> str:
    return "unix:///var/run/docker.sock" if os.name != "nt" else "npipe:////./pipe/docker_engine"


def context_endpoint(name: str, origin: str, environ: Mapping[str, str]) -> Endpoint:
    """The engine of the docker CLI context ``name``, with its TLS settings."""
    with context_store(environ):
        found = _load_context(name)
    if found is None:
        raise UsageError(_unknown_context(name, origin, context_names(environ)))
    if not found.Host:
        raise UsageError(f"the context '{name}' has no Docker endpoint")
    return Endpoint(
        found.Host, ChosenBy.CONTEXT, context=name, origin=origin, tls=_context_tls(found)
    )


def current_context_name(environ: Mapping[str, str]) -> str:
    with context_store(environ):
        return docker.context.config.get_current_context_name() or DEFAULT_CONTEXT


def context_names(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every context of the docker CLI's config, ``default`` first."""
    environ = os.environ if environ is None else environ
    with context_store(environ):
        try:
            return [found.Name for found in ContextAPI.contexts()]
        except Exception as error:  # docker-py raises a bare Exception for a corrupt meta.json
            raise UsageError(f"cannot read the docker CLI contexts: {error}") from None


def config_dir(environ: Mapping[str, str]) -> Path:
    """The docker CLI's config folder: ``DOCKER_CONFIG``, else ``~/.docker``."""
    return Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


@contextlib.contextmanager
def context_store(environ: Mapping[str, str]) -> Iterator[None]:
    """Points docker-py's context store at the docker CLI's config folder.

    docker-py finds the store beside config.json, and only when that file exists
    (docker/docker-py#3190): ``docker context create`` in a fresh DOCKER_CONFIG writes no
    config.json, and docker-py then looks in ./contexts. Its functions take no path, so the one
    they all ask is answered here; connecting happens before any grading thread starts.
    """
    config_file = str(config_dir(environ) / "config.json")
    module = docker.context.config
    original = module.find_config_file
    module.find_config_file = lambda config_path=None: config_file
    try:
        yield
    finally:
        module.find_config_file = original


def _load_context(name: str):
    try:
        return ContextAPI.get_context(name)
    except Exception as error:  # docker-py raises a bare Exception for a corrupt meta.json
        raise UsageError(f"the context '{name}' cannot be read: {error}") from None


def _unknown_context(name: str, origin: str, known: list[str]) -> str:
    where = {
        "current": "the current context of the docker CLI's config",
        "DOCKER_CONTEXT": "DOCKER_CONTEXT",
    }.get(origin, origin)
    return f"no context named '{name}' ({where}); contexts: {', '.join(known)}"


def _context_tls(found) -> TLSConfig | None:
    if found.TLSConfig is not None:
        return found.TLSConfig
    # The docker CLI speaks TLS, unverified, to an endpoint marked skip-tls-verify even with no
    # certificate stored; docker-py only builds a TLS config from stored certificates.
    skip_verify = found.endpoints.get("docker", {}).get("SkipTLSVerify", False)
    if skip_verify and found.Host.startswith("tcp://"):
        return TLSConfig(verify=False)
    return None


def _tls_from_environment(environ: Mapping[str, str]) -> TLSConfig | None:
    """``DOCKER_TLS_VERIFY`` and ``DOCKER_CERT_PATH``, read as the docker CLI reads them."""
    if not environ:  # docker-py reads os.environ when given an empty mapping
        return None
    try:
        return docker.utils.kwargs_from_env(environment=environ).get("tls")
    except docker.errors.TLSParameterError as error:
        raise EngineError(f"DOCKER_TLS_VERIFY/DOCKER_CERT_PATH: {error}") from None


def tls_from_dir(folder: Path) -> TLSConfig:
    missing = [name for name in ("ca.pem", "cert.pem", "key.pem") if not (folder / name).is_file()]
    if missing:
        raise EngineError(f"{folder}: missing TLS file(s) {', '.join(missing)}")
    return TLSConfig(
        client_cert=(str(folder / "cert.pem"), str(folder / "key.pem")),
        ca_cert=str(folder / "ca.pem"),
        verify=True,
    )
