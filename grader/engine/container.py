"""A container as the engine's list call and (on first use) its inspect describe it, with the
fields the checks read.

>>> container = Container.from_inspect({"Id": "5e1f", "Name": "/mynginx", "Created":
...     "2026-11-28T10:00:00Z", "Config": {"Image": "nginx:alpine"}, "Image": "sha256:55",
...     "State": {"Status": "running", "Running": True, "StartedAt": "2026-11-28T10:00:01Z"},
...     "NetworkSettings": {"Networks": {"mybridge": {"IPAddress": "192.168.0.2"}}}})
>>> container.name, container.running, container.networks["mybridge"].ip
('mynginx', True, '192.168.0.2')
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from docker.errors import NotFound

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
class Details:
    """What only an inspect tells of a container (the list call does not carry it)."""

    image_reference: str  # as given to `docker run` (Config.Image)
    tty: bool
    open_stdin: bool
    attached_stdout: bool
    user: str
    host_config: dict[str, Any] = field(repr=False)
    published_ports: dict[str, list[dict]] = field(repr=False)
    started_at: datetime = datetime.min  # of the current (or last) run
    restart_count: int = 0  # restarts by the restart policy
    created: datetime = datetime.min  # to the microsecond (the list call's has whole seconds)

    @classmethod
    def from_inspect(cls, data: dict[str, Any]) -> Details:
        config, state = data.get("Config") or {}, data.get("State") or {}
        return cls(
            image_reference=config.get("Image", ""),
            tty=bool(config.get("Tty")),
            open_stdin=bool(config.get("OpenStdin")),
            attached_stdout=bool(config.get("AttachStdout")),
            user=config.get("User") or "",
            host_config=data.get("HostConfig") or {},
            published_ports=(data.get("NetworkSettings") or {}).get("Ports") or {},
            started_at=parse_time(state.get("StartedAt", "")),
            restart_count=int(data.get("RestartCount") or 0),
            created=parse_time(data.get("Created", "")),
        )


class _Inspection:
    """A container's inspect, made on first use and kept (thread-safe: checks and probe plans
    may ask at once); docker's NotFound when the container is gone by then."""

    def __init__(self, load: Callable[[], dict[str, Any]] | None, details: Details | None = None):
        self._load, self._details, self._gone = load, details, None
        self._lock = threading.Lock()

    @property
    def read(self) -> bool:
        """Whether the inspect was made (or found the container gone)."""
        return self._details is not None or self._gone is not None

    def details(self) -> Details:
        with self._lock:
            if self._details is None and self._gone is None:
                try:
                    self._details = Details.from_inspect(self._load())
                except NotFound as gone:
                    self._gone = gone
            if self._gone is not None:
                raise self._gone
            return self._details


@dataclass(frozen=True, eq=False)
class Container:
    """A container as the engine's list call shows it; what only an inspect tells (its
    configuration, host config, start time) is read on first use, so a host holding hundreds
    of containers no exercise is about costs one list call, not hundreds of inspects."""

    id: str
    name: str
    image_id: str
    status: str  # created, running, paused, exited...
    created: datetime  # whole seconds, as the list call gives it
    labels: dict[str, str]
    networks: dict[str, Endpoint]
    mounts: tuple[Mount, ...]
    listed_image: str = field(default="", repr=False)  # the list's Image (see image_reference)
    status_text: str = field(default="", repr=False)  # the list's Status: "Up 3 hours"
    inspection: _Inspection = field(default=None, repr=False)

    @classmethod
    def from_summary(cls, summary: dict[str, Any], load: Callable[[], dict]) -> Container:
        """From one item of the list call; ``load`` inspects it when a field needs it."""
        names = summary.get("Names") or []
        # legacy links add names such as /web/db: the container's own has no inner slash
        name = next((n for n in names if n.count("/") == 1), names[0] if names else "")
        settings = summary.get("NetworkSettings") or {}
        return cls(
            id=summary["Id"],
            name=name.lstrip("/"),
            image_id=summary.get("ImageID", ""),
            status=summary.get("State") or "unknown",
            created=datetime.fromtimestamp(int(summary.get("Created") or 0), timezone.utc),
            labels=summary.get("Labels") or {},
            networks=_endpoints(settings.get("Networks") or {}),
            mounts=_mounts(summary.get("Mounts")),
            listed_image=summary.get("Image", ""),
            status_text=summary.get("Status", ""),
            inspection=_Inspection(load),
        )

    @classmethod
    def from_inspect(cls, data: dict[str, Any]) -> Container:
        config, state = data.get("Config") or {}, data.get("State") or {}
        settings = data.get("NetworkSettings") or {}
        details = Details.from_inspect(data)
        return cls(
            id=data["Id"],
            name=data.get("Name", "").lstrip("/"),
            image_id=data.get("Image", ""),
            status=state.get("Status", "unknown"),
            created=parse_time(data.get("Created", "")),
            labels=config.get("Labels") or {},
            networks=_endpoints(settings.get("Networks") or {}),
            mounts=_mounts(data.get("Mounts")),
            listed_image=details.image_reference,
            inspection=_Inspection(None, details),
        )

    @property
    def details(self) -> Details:
        """The inspect's part, read now if it was not yet; raises docker's NotFound when the
        container was removed since the list call."""
        return self.inspection.details()

    def present(self) -> bool:
        """Whether it still exists; its inspect is read now if it was not yet, so what a check
        then reads of it (configuration, start time) predates the probes."""
        try:
            self.inspection.details()
        except NotFound:
            return False
        return True

    @property
    def image_reference(self) -> str:
        """As given to ``docker run``. The list call shows it too, unless the name has moved
        to another image since: then it shows the image id, and the inspect is asked."""
        if self.listed_image and not _looks_like_an_id(self.listed_image, self.image_id):
            return self.listed_image
        return self.details.image_reference

    @property
    def tty(self) -> bool:
        return self.details.tty

    @property
    def open_stdin(self) -> bool:
        return self.details.open_stdin

    @property
    def attached_stdout(self) -> bool:
        return self.details.attached_stdout

    @property
    def user(self) -> str:
        return self.details.user

    @property
    def host_config(self) -> dict[str, Any]:
        return self.details.host_config

    @property
    def published_ports(self) -> dict[str, list[dict]]:
        return self.details.published_ports

    @property
    def started_at(self) -> datetime:
        return self.details.started_at

    @property
    def created_exactly(self) -> datetime:
        """When it was created, to the microsecond (``created`` has whole seconds)."""
        return self.details.created

    @property
    def restart_count(self) -> int:
        return self.details.restart_count

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        """Running and not paused: a paused container answers no request."""
        return self.status == "running"

    @property
    def up_a_minute_or_more(self) -> bool:
        """What the list call's status says ("Up 3 minutes"): steady, without an inspect."""
        return self.status == "running" and bool(_UP_A_MINUTE_OR_MORE.match(self.status_text))

    def restarting_in_a_loop(self, now: datetime) -> bool:
        """Restarted by its policy and not up for STEADY_AFTER_S since: it will be gone (or
        restarted) by the time a probe reaches it, so a verdict on it would change from run
        to run. Docker itself calls a run of 10 s a success (it resets the restart delay).
        A container the list shows up for a minute or more is steady without an inspect; one
        removed since the list call is not steady either."""
        if self.status == "restarting":
            return True
        if self.up_a_minute_or_more:
            return False
        if not self.present():
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


def _mounts(raw: list[dict[str, Any]] | None) -> tuple[Mount, ...]:
    """By destination: the list call and the inspect give them in different orders."""
    return tuple(sorted((_mount(item) for item in raw or []), key=lambda m: m.destination))


def _mount(raw: dict[str, Any]) -> Mount:
    return Mount(
        type=raw.get("Type", ""),
        source=raw.get("Source", ""),
        destination=raw.get("Destination", ""),
        read_write=bool(raw.get("RW")),
        name=raw.get("Name", ""),
    )


# Docker's Status for a container up 60 s or more (units.HumanDuration): "Up About a minute",
# "Up 5 minutes (healthy)". Seconds, other engines' wordings, anything else: the inspect says.
_UP_A_MINUTE_OR_MORE = re.compile(
    r"Up (About an? (minute|hour)|\d+ (minutes|hours|days|weeks|months|years))\b"
)


def _looks_like_an_id(reference: str, image_id: str) -> bool:
    """The list call shows the image id (whole, or short) where the name moved away."""
    bare = reference.removeprefix("sha256:")
    return len(bare) >= 12 and image_id.removeprefix("sha256:").startswith(bare)


_FRACTION = re.compile(r"(\d*)(.*)")


def parse_time(value: str) -> datetime:
    """Docker's RFC 3339 times carry nanoseconds, which ``fromisoformat`` does not take. The
    zone stays: an engine gives its SystemTime in its host's local time.

    >>> parse_time("2023-02-15T16:47:40.019087234+01:00").isoformat()
    '2023-02-15T16:47:40.019087+01:00'
    """
    if not value:
        return datetime.min
    head, dot, rest = value.partition(".")
    if dot:
        digits, zone = _FRACTION.match(rest).groups()
        value = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
