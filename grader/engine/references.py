"""Image references as people type them: ``nginx``, ``nginx:alpine``, ``docker.io/library/nginx``.

>>> repository_of("docker.io/library/nginx:alpine")
'nginx'
>>> tag_of("nginx")
'latest'
"""

from __future__ import annotations

_DEFAULT_REGISTRIES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def _split(reference: str) -> tuple[str, str]:
    name = reference.split("@", 1)[0]
    for registry in _DEFAULT_REGISTRIES:
        if name.startswith(registry):
            name = name[len(registry):]
    repository, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    if repository.startswith("library/"):
        repository = repository[len("library/"):]
    return repository, tag


def repository_of(reference: str) -> str:
    return _split(reference)[0]


def tag_of(reference: str) -> str:
    return _split(reference)[1] or "latest"


def normalize(reference: str) -> str:
    """``mine/node`` -> ``mine/node:latest``."""
    repository, tag = _split(reference)
    return f"{repository}:{tag or 'latest'}"
