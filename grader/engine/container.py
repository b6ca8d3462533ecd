"""A container as the engine's inspect describes it, with the fields the checks read.

>>> container = Container.from_inspect({"Id": "5e1f", "Name": "/mynginx", "Created":
...     "2026-11-28T10:00:00Z", "Config": {"Image": "nginx:alpine"}, "Image": "sha256:55",
...     "State": {"Status": "running", "Running": True, "StartedAt": "2026-11-28T10:00:01Z"},
...     "NetworkSettings": {"Networks": {"mybridge": {"IPAddress": "192.168.0.2"}}}})
>>> container.name, container.running, container.networks["mybridge"].ip
('mynginx', True, '192.168.0.2')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grader.engine.references import tag_of

PROBE_LABEL = "docker-grade.probe"
GRADER_LABEL = "docker-grade.grader"  # the grader's own image (and so its container) has it
OWN_LABELS = (PROBE_LABEL, GRADER_LABEL)  # containers of the grader's, never the student's
STEADY_AFTER_S = 10.0


@dataclass(frozen=True)
class Endpoint:
    """The container's attachment to one network."""

    network: str
    network_id: str
    ip: str
    prefix_length: int
    gateway: str


@dataclass(frozen=True)
class Mount:
    type: str  # bind, volume, tmpfs
    source: str
    destination: str
    read_write: bool
    name: str = ""


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    image_reference: str  # as given to `docker run` (Config.Image)
    image_id: str
    status: str  # created, running, paused, exited...
    created: datetime
    tty: bool
    open_stdin: bool
    attached_stdout: bool
    user: str
    labels: dict[str, str]
    networks: dict[str, Endpoint]
    mounts: tuple[Mount, ...]
    host_config: dict[str, Any] = field(repr=False)
    published_ports: dict[str, list[dict]] = field(repr=False)
    started_at: datetime = datetime.min  # of the current (or last) run
    restart_count: int = 0  # restarts by the restart policy

    @classmethod
    def from_inspect(cls, data: dict[str, Any]) -> Container:
        config, state = data.get("Config") or {}, data.get("State") or {}
        settings = data.get("NetworkSettings") or {}
        return cls(
            id=data["Id"],
            name=data.get("Name", "").lstrip("/"),
            image_reference=config.get("Image", ""),
            image_id=data.get("Image", ""),
            status=state.get("Status", "unknown"),
            created=parse_time(data.get("Created", "")),
            tty=bool(config.get("Tty")),
            open_stdin=bool(config.get("OpenStdin")),
            attached_stdout=bool(config.get("AttachStdout")),
            user=config.get("User") or "",
            labels=config.get("Labels") or {},
            networks=_endpoints(settings.get("Networks") or {}),
            mounts=tuple(_mount(raw) for raw in data.get("Mounts") or []),
            host_config=data.get("HostConfig") or {},
            published_ports=settings.get("Ports") or {},
            started_at=parse_time(state.get("StartedAt", "")),
            restart_count=int(data.get("RestartCount") or 0),
        )

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        """Running and not paused: a paused container answers no request."""
        return self.status == "running"

    def restarting_in_a_loop(self, now: datetime) -> bool:
        """Restarted by its policy and not up for STEADY_AFTER_S since: it will be gone (or
        restarted) by the time a probe reaches it, so a verdict on it would change from run
        to run. Docker itself calls a run of 10 s a success (it resets the restart delay)."""
        if self.status == "restarting":
            return True
        return self.restart_count > 0 and (now - self.started_at).total_seconds() < STEADY_AFTER_S

    @property
    def image_tag(self) -> str:
        return tag_of(self.image_reference)

    def mount_at(self, destination: str) -> Mount | None:
        wanted = destination.rstrip("/") or "/"
        return next((m for m in self.mounts if m.destination.rstrip("/") == wanted), None)

    def shares_network_with(self, other: Container) -> set[str]:
        return set(self.networks) & set(other.networks)

    def describe(self) -> str:
        """How the evidence and messages name a container: ``mynginx (3f2a1b0c9d8e)``."""
        return f"{self.name} ({self.short_id})"


def _endpoints(raw: dict[str, Any]) -> dict[str, Endpoint]:
    return {
        name: Endpoint(
            network=name,
            network_id=endpoint.get("NetworkID", ""),
            ip=endpoint.get("IPAddress", ""),
            prefix_length=endpoint.get("IPPrefixLen") or 0,
            gateway=endpoint.get("Gateway", ""),
        )
        for name, endpoint in raw.items()
    }


def _mount(raw: dict[str, Any]) -> Mount:
    return Mount(
        type=raw.get("Type", ""),
        source=raw.get("Source", ""),
        destination=raw.get("Destination", ""),
        read_write=bool(raw.get("RW")),
        name=raw.get("Name", ""),
    )


def parse_time(value: str) -> datetime:
    """Docker's RFC 3339 times carry nanoseconds, which ``fromisoformat`` does not take."""
    if not value:
        return datetime.min
    head, dot, rest = value.partition(".")
    if dot:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        value = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
