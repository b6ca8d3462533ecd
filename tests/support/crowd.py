"""A semester-old host: many idle containers (running and exited) and networks that no exercise
is about, made before the exercise's own state, as a student's host would hold them.

>>> crowd = Crowd(client, running=500, exited=500, networks=50).build()   # doctest: +SKIP
>>> crowd.remove()                                                        # doctest: +SKIP
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import docker

from support.student import LABELS, _quietly

CROWD_LABEL = "docker-grade.test.crowd"
_WORKERS = 4  # the engine creates containers about as fast with 4 callers as with more


class Crowd:
    def __init__(
        self,
        client: docker.DockerClient,
        *,
        running: int,
        exited: int,
        networks: int,
        detached_sleep: bool = False,
    ):
        self.api = client.api
        self.counts = (running, exited, networks)
        # ``docker run -d busybox sleep 36000`` rather than ``docker run -itd busybox``
        self.detached_sleep = detached_sleep
        self.container_ids: list[str] = []
        self.network_ids: list[str] = []

    def build(self) -> Crowd:
        """Networks 10.99.N.0/24 (outside the engine's own pools and the course's subnets),
        running ``docker run -itd busybox`` containers spread over them and the default
        bridge, and ``docker run busybox true`` containers that exited."""
        running, exited, networks = self.counts
        labels = {**LABELS, CROWD_LABEL: "1"}
        for n in range(networks):
            ipam = docker.types.IPAMConfig(
                pool_configs=[docker.types.IPAMPool(subnet=f"10.99.{n}.0/24")]
            )
            created = self.api.create_network(f"dg-crowd-{n}", ipam=ipam, labels=labels)
            self.network_ids.append(created["Id"])
        names = ["bridge", *(f"dg-crowd-{n}" for n in range(networks))]
        jobs = [(names[n % len(names)], True) for n in range(running)]
        jobs += [("bridge", False) for _ in range(exited)]
        with ThreadPoolExecutor(_WORKERS) as pool:
            made = list(pool.map(lambda job: self._container(*job, labels), jobs))
        for container_id in made[running:]:
            self.api.wait(container_id, timeout=60)
        return self

    def _container(self, network: str, keeps_running: bool, labels: dict) -> str:
        interactive = keeps_running and not self.detached_sleep
        command = None if interactive else ["sleep", "36000"] if keeps_running else ["true"]
        created = self.api.create_container(
            "busybox",
            command=command,
            stdin_open=interactive,
            tty=interactive,
            labels=labels,
            host_config=self.api.create_host_config(network_mode=network),
        )
        self.container_ids.append(created["Id"])  # before it starts: removed even if that fails
        self.api.start(created["Id"])
        return created["Id"]

    def remove(self) -> None:
        with ThreadPoolExecutor(_WORKERS) as pool:
            list(
                pool.map(
                    lambda cid: _quietly(self.api.remove_container, cid, force=True),
                    self.container_ids,
                )
            )
        for network_id in self.network_ids:
            _quietly(self.api.remove_network, network_id)
        self.container_ids, self.network_ids = [], []
