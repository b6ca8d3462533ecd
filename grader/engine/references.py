"""Image references as people type them: ``nginx``, ``nginx:alpine``, ``docker.io/library/nginx``.

Podman names the images built or tagged locally ``localhost/NAME`` (``podman build -t
mine/node`` makes ``localhost/mine/node:latest``): that prefix names no registry, so it is read
as no prefix at all. A registry on a port (``localhost:5000/...``) stays part of the name.

>>> repository_of("docker.io/library/nginx:alpine")
'nginx'
>>> tag_of("nginx")
'latest'
>>> normalize("localhost/mine/node")
'mine/node:latest'
>>> local_names("mine/node")
('mine/node', 'localhost/mine/node')
"""

from __future__ import annotations

import functools

_DEFAULT_REGISTRIES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")
PODMAN_LOCAL_PREFIX = "localhost/"  # podman's name for "built or tagged here"
_IMPLIED_PREFIXES = (*_DEFAULT_REGISTRIES, PODMAN_LOCAL_PREFIX)


@functools.lru_cache(maxsize=4096)  # a crowded host asks about the same few names often
def _split(reference: str) -> tuple[str, str]:
    name = reference.split("@", 1)[0]
    for prefix in _IMPLIED_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    repository, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    if repository.startswith("library/"):
        repository = repository[len("library/") :]
    return repository, tag


def repository_of(reference: str) -> str:
    return _split(reference)[0]


def tag_of(reference: str) -> str:
    return _split(reference)[1] or "latest"


def normalize(reference: str) -> str:
    """``mine/node`` -> ``mine/node:latest``."""
    repository, tag = _split(reference)
    return f"{repository}:{tag or 'latest'}"


def local_names(reference: str) -> tuple[str, ...]:
    """The names an engine may file a local image under: as typed, then as podman files an
    image without a registry (``localhost/mine/node``); podman's Docker API does not always
    find the second by the first."""
    if _has_registry(reference):
        return (reference,)
    return reference, PODMAN_LOCAL_PREFIX + reference


def _has_registry(reference: str) -> bool:
    """Whether the first component names a registry, as Docker reads it: it holds a dot or a
    port, or is ``localhost``. An image id (``sha256:…``) is left alone too."""
    first, slash, _ = reference.partition("/")
    if not slash:
        return reference.startswith("sha256:")
    return "." in first or ":" in first or first == "localhost"
