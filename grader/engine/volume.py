"""A named volume as the engine inspects it.

>>> Volume.from_inspect({"Name": "notes", "Driver": "local",
...     "Mountpoint": "/var/lib/docker/volumes/notes/_data"}).mountpoint
'/var/lib/docker/volumes/notes/_data'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Volume:
    name: str
    driver: str
    mountpoint: str  # on the engine's host: where a probe finds its files
    labels: dict[str, str]

    @classmethod
    def from_inspect(cls, data: dict[str, Any]) -> Volume:
        return cls(
            name=data.get("Name", ""),
            driver=data.get("Driver", ""),
            mountpoint=data.get("Mountpoint", ""),
            labels=data.get("Labels") or {},
        )
