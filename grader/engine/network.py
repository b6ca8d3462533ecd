"""A network as the engine lists it.

>>> Network.from_inspect({"Id": "43f3", "Name": "mybridge", "Driver": "bridge",
...     "IPAM": {"Config": [{"Subnet": "192.168.0.0/24", "Gateway": "192.168.0.1"}]}}).subnets
('192.168.0.0/24',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_PREDEFINED = {"bridge", "host", "none"}


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    driver: str
    subnets: tuple[str, ...]
    gateways: tuple[str, ...]
    internal: bool
    options: dict[str, str]

    @classmethod
    def from_inspect(cls, data: dict[str, Any]) -> Network:
        configs = (data.get("IPAM") or {}).get("Config") or []
        return cls(
            id=data["Id"],
            name=data.get("Name", ""),
            driver=data.get("Driver", ""),
            subnets=tuple(c["Subnet"] for c in configs if c.get("Subnet")),
            gateways=tuple(c["Gateway"] for c in configs if c.get("Gateway")),
            internal=bool(data.get("Internal")),
            options=data.get("Options") or {},
        )

    @property
    def user_defined(self) -> bool:
        """Created by the user: not one of the engine's own ``bridge``, ``host``, ``none``."""
        return self.name not in _PREDEFINED

    @property
    def is_user_bridge(self) -> bool:
        return self.user_defined and self.driver == "bridge"
