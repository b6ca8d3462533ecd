"""One picture of the engine per run, shared by every check.

Taken once: the container list and the network list, two API calls whatever the host holds.
What only an inspect tells of a container is read on first use (grader.engine.container); the
newest containers, those an exercise is most likely about, are inspected at once, in parallel
(one that vanishes between the list and its inspect is left out). Images and volumes are
inspected on first use and kept, since a host may hold hundreds that no exercise looks at.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

from docker.errors import NotFound

from grader.engine.client import Engine
from grader.engine.container import OWN_LABELS, Container, Endpoint, parse_time
from grader.engine.image import Image
from grader.engine.local_socket import Inspect
from grader.engine.network import Network
from grader.engine.references import local_names, normalize, repository_of
from grader.engine.volume import Volume

INSPECT_WORKERS = 8
# the newest containers, inspected with the snapshot: a student's exercise is among them
INSPECTED_AT_ONCE = 16


@dataclass
class Snapshot:
    engine: Engine
    containers: list[Container]  # newest first; the grader's own probes left out
    networks: list[Network]
    taken_at: datetime  # by the engine's clock: logs written after it are the grader's doing
    _images: dict[str, Image | None] = field(default_factory=dict, repr=False)
    _images_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _volumes: dict[str, Volume | None] = field(default_factory=dict, repr=False)
    _runs_image: dict[tuple[str, str, str], bool] = field(default_factory=dict, repr=False)

    @classmethod
    def take(cls, engine: Engine) -> Snapshot:
        api = engine.api
        taken_at = _engine_time(api.info())
        summaries = [
            summary
            for summary in api.containers(all=True)
            if not any(label in (summary.get("Labels") or {}) for label in OWN_LABELS)
        ]
        inspect = engine.inspect_container
        if engine.host.product == "docker":
            containers = _listed(inspect, summaries, engine.parallel_calls)
        else:
            containers = _inspected(inspect, summaries, engine.parallel_calls)
        networks = [Network.from_inspect(data) for data in api.networks()]
        return cls(engine=engine, containers=containers, networks=networks, taken_at=taken_at)

    @property
    def userns_remap(self) -> bool:
        return self.engine.userns_remap

    @property
    def rootless(self) -> bool:
        return self.engine.rootless

    def container(self, name_or_id: str) -> Container | None:
        name_or_id = name_or_id.lstrip("/")
        return next(
            (
                c
                for c in self.containers
                if c.name == name_or_id or (len(name_or_id) >= 4 and c.id.startswith(name_or_id))
            ),
            None,
        )

    def network(self, name: str) -> Network | None:
        return next((n for n in self.networks if n.name == name or n.id == name), None)

    def gateway_of(self, endpoint: Endpoint) -> str:
        """The gateway of a container's ``endpoint``: the endpoint's own, or, where the engine
        gives it none (Docker 28 on an ``--internal`` network: no default route, while the
        bridge still holds the network's gateway address), its network's gateway on the same
        subnet; "" when neither is known."""
        if endpoint.gateway:
            return endpoint.gateway
        network = self.network(endpoint.network_id) if endpoint.network_id else None
        network = network or self.network(endpoint.network)
        if network is None or not endpoint.ip or not endpoint.prefix_length:
            return ""
        subnet = ipaddress.ip_interface(f"{endpoint.ip}/{endpoint.prefix_length}").network
        return next((g for g in network.gateways if _within(g, subnet)), "")

    def running(self) -> list[Container]:
        return [c for c in self.containers if c.running]

    def inspect_all(self, containers: Iterable[Container]) -> None:
        """Reads the inspects of ``containers`` not read yet, INSPECT_WORKERS at once: what a
        check reads of many containers (a crowd of bystanders newer than the student's own)
        costs a few round trips, never one after another."""
        waiting = [c for c in containers if not c.inspection.read]
        if len(waiting) < 2:
            return
        workers = min(INSPECT_WORKERS, self.engine.parallel_calls, len(waiting))
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(Container.present, waiting))

    def steady(self) -> list[Container]:
        """Running containers, less those restarting in a loop (never A or B: they would not
        get the same verdict twice). Those the list call cannot tell are inspected at once."""
        running = self.running()
        self.inspect_all(c for c in running if not c.up_a_minute_or_more)
        return [c for c in running if not c.restarting_in_a_loop(self.taken_at)]

    def image(self, reference: str) -> Image | None:
        """The image a reference or id names, inspected once per run; None if absent. On
        podman, ``mine/node`` may be filed as ``localhost/mine/node``: both names are tried."""
        with self._images_lock:
            if reference not in self._images:
                data = _inspect_image_or_none(self.engine.api, reference)
                self._images[reference] = Image.from_inspect(data) if data else None
            return self._images[reference]

    def volume(self, name: str) -> Volume | None:
        """The named volume, inspected on first use (most exercises never ask); None if
        absent."""
        with self._images_lock:
            if name not in self._volumes:
                try:
                    data = self.engine.api.inspect_volume(name)
                except NotFound:
                    data = None
                self._volumes[name] = Volume.from_inspect(data) if data else None
            return self._volumes[name]

    def containers_using(self, volume: str) -> list[Container]:
        """Containers, running or not, that mount the named volume ``volume``."""
        return [
            c
            for c in self.containers
            if any(m.type == "volume" and m.name == volume for m in c.mounts)
        ]

    def runs_image(self, container: Container, reference: str) -> bool:
        """Whether ``container`` was started from image ``reference`` (any tag when it has none).

        Matches the name given to ``docker run`` or, when the student ran an image id, the tags
        that image carries.
        """
        try:
            given = container.image_reference
        except NotFound:  # removed since the list call: it runs nothing now
            return False
        key = (given, container.image_id, reference)
        if key not in self._runs_image:  # per image, not per container: hundreds share one
            self._runs_image[key] = self._names_image(key[0], key[1], reference)
        return self._runs_image[key]

    def _names_image(self, given: str, image_id: str, reference: str) -> bool:
        wanted_repository, has_tag = repository_of(reference), ":" in reference.rsplit("/", 1)[-1]
        image = self.image(image_id)
        for name in [given, *(image.tags if image else ())]:
            if has_tag and normalize(name) == normalize(reference):
                return True
            if not has_tag and repository_of(name) == wanted_repository:
                return True
        return False


def _within(address: str, subnet) -> bool:
    try:
        return ipaddress.ip_address(address) in subnet
    except ValueError:
        return False


def _engine_time(info: dict) -> datetime:
    """The engine's own clock (a remote engine's may differ from ours); ours if it says none."""
    system_time = info.get("SystemTime")
    return parse_time(system_time) if system_time else datetime.now(timezone.utc)


def _listed(inspect: Inspect, summaries: list[dict], parallel_calls: int) -> list[Container]:
    """Docker's: the list call's containers, newest first, the newest inspected now."""
    containers = [
        Container.from_summary(summary, functools.partial(inspect, summary["Id"]))
        for summary in summaries
    ]
    # the list's creation times are whole seconds; within one second, Docker's own order
    # (newest first, to the nanosecond) stays
    containers.sort(key=lambda c: c.created, reverse=True)
    newest = containers[:INSPECTED_AT_ONCE]
    with ThreadPoolExecutor(min(INSPECT_WORKERS, parallel_calls)) as pool:
        gone = {
            c.id for c, present in zip(newest, pool.map(Container.present, newest)) if not present
        }
    return [c for c in containers if c.id not in gone]


def _inspected(inspect: Inspect, summaries: list[dict], parallel_calls: int) -> list[Container]:
    """Podman's: every container inspected now. Its list call keeps no order within a second,
    names images and states otherwise than its inspect (``localhost/…``, ``stopped``)."""
    with ThreadPoolExecutor(min(INSPECT_WORKERS, parallel_calls)) as pool:
        inspected = pool.map(lambda s: _inspect_or_none(inspect, s["Id"]), summaries)
        containers = [Container.from_inspect(data) for data in inspected if data]
    return sorted(containers, key=lambda c: c.created, reverse=True)


def _inspect_or_none(inspect: Inspect, container_id: str) -> dict | None:
    try:
        return inspect(container_id)
    except NotFound:
        return None


def _inspect_image_or_none(api, reference: str) -> dict | None:
    for name in local_names(reference):
        try:
            return api.inspect_image(name)
        except NotFound:
            continue
    return None
