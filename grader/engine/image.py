"""An image's configuration, as ``docker image inspect`` shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Image:
    id: str
    tags: tuple[str, ...]
    user: str
    exposed_ports: tuple[str, ...]
    cmd: tuple[str, ...] | None
    entrypoint: tuple[str, ...] | None
    diff_ids: tuple[str, ...]
    created: str

    @classmethod
    def from_inspect(cls, data: dict[str, Any]) -> Image:
        config = data.get("Config") or {}
        cmd, entrypoint = config.get("Cmd"), config.get("Entrypoint")
        return cls(
            id=data["Id"],
            tags=tuple(data.get("RepoTags") or ()),
            user=config.get("User") or "",
            exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
            cmd=tuple(cmd) if cmd is not None else None,
            entrypoint=tuple(entrypoint) if entrypoint is not None else None,
            diff_ids=tuple((data.get("RootFS") or {}).get("Layers") or ()),
            created=data.get("Created", ""),
        )
