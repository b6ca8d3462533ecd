"""Builds a student's state on the real engine, as the course's commands would, and removes it.

Every object carries TEST_LABEL, so a crashed run's leftovers can be found and removed.

>>> host.network("mybridge", subnet="192.168.0.0/24")              # doctest: +SKIP
>>> host.container("busybox", network="mybridge")  # docker run -itd  # doctest: +SKIP
"""

from __future__ import annotations

import io
import tarfile
import time

import docker
import pytest
from docker.errors import APIError, NotFound

TEST_LABEL = "docker-grade.test"
LABELS = {TEST_LABEL: "1"}


class StudentHost:
    def __init__(self, client: docker.DockerClient):
        self.client = client
        self.api = client.api
        self._containers: list[str] = []
        self._networks: list[str] = []
        self._volumes: list[str] = []
        self._images: list[str] = []

    def network(
        self,
        name: str,
        *,
        subnet: str | None = None,
        driver: str = "bridge",
        options: dict | None = None,
        internal: bool = False,
    ):
        ipam = None
        if subnet:
            ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
        network = self.client.networks.create(
            name, driver=driver, ipam=ipam, options=options, labels=LABELS, internal=internal
        )
        self._networks.append(network.id)
        network.reload()
        ignored = {k: v for k, v in (options or {}).items() if network.attrs["Options"].get(k) != v}
        if ignored:  # podman's Docker API drops Docker's bridge options without a word
            pytest.skip(f"this engine ignores {ignored}: the state the test means cannot be made")
        return network

    def volume(self, name: str):
        volume = self.client.volumes.create(name, labels=LABELS)
        self._volumes.append(volume.name)
        return volume

    def container(
        self,
        image: str,
        *,
        name: str | None = None,
        network: str | None = None,
        interactive: bool = True,
        tty: bool = True,
        detach: bool = True,
        command=None,
        binds: list[str] | None = None,
        start: bool = True,
        user: str | None = None,
        **host_config,
    ):
        """``docker run [-i] [-t] [-d] [--name] [--network] [-v ...] IMAGE [COMMAND]``.

        ``detach=False`` records the attachments ``docker run -it`` (foreground) would.
        """
        created = self.api.create_container(
            image,
            command=command,
            name=name,
            stdin_open=interactive,
            tty=tty,
            detach=detach,
            labels=LABELS,
            user=user,
            host_config=self.api.create_host_config(
                network_mode=network, binds=binds, **host_config
            ),
        )
        self._containers.append(created["Id"])
        if start:
            self.api.start(created["Id"])
        return self.client.containers.get(created["Id"])

    def connect(self, network: str, container) -> None:
        self.client.networks.get(network).connect(container)

    def build(self, tag: str, dockerfile: str, files: dict[str, bytes] | None = None):
        """Builds an image from a Dockerfile text (and files), labelled, removed at the end."""
        context = io.BytesIO()
        with tarfile.open(fileobj=context, mode="w") as archive:
            for path, content in {"Dockerfile": dockerfile.encode(), **(files or {})}.items():
                info = tarfile.TarInfo(path)
                info.size, info.mode = len(content), 0o755
                archive.addfile(info, io.BytesIO(content))
        context.seek(0)
        image, _ = self.client.images.build(
            fileobj=context, custom_context=True, tag=tag, labels=LABELS, rm=True, forcerm=True
        )
        self._images.append(tag)
        return image

    def tag(self, image: str, target: str) -> None:
        """``docker tag IMAGE TARGET``; the tag is removed at the end (not the image)."""
        tagged = ":" in target.rsplit("/", 1)[-1]
        repository, tag = target.rsplit(":", 1) if tagged else (target, "latest")
        self.api.tag(image, repository, tag, force=True)
        self._images.append(target)

    def wait_running(self, container, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            container.reload()
            if container.status == "running":
                return
            time.sleep(0.05)
        raise AssertionError(f"{container.name} is {container.status}, not running")

    def wait_restarted(self, container, timeout: float = 10.0) -> None:
        """Until the restart policy has restarted it once: a crash loop, as the engine shows
        one (its first run looks like any container's, on a fast engine too)."""
        deadline = time.monotonic() + timeout
        while container.attrs.get("RestartCount", 0) < 1:
            if time.monotonic() > deadline:
                raise AssertionError(f"{container.name} was never restarted")
            time.sleep(0.05)
            container.reload()

    def wait_log(self, container, text: str, timeout: float = 5.0) -> None:
        """Waits until the container's log holds ``text`` (an app's "listening" line)."""
        deadline = time.monotonic() + timeout
        while text not in container.logs().decode(errors="replace"):
            if time.monotonic() > deadline:
                raise AssertionError(f"{container.name} never logged {text!r}")
            time.sleep(0.05)

    def remove_all(self) -> None:
        for container_id in reversed(self._containers):
            # killed first: podman's forced removal stops a container gently (10 s for a shell)
            _quietly(self.api.kill, container_id)
            _quietly(self.api.remove_container, container_id, force=True)
        for network_id in self._networks:
            _quietly(self.api.remove_network, network_id)
        for volume in self._volumes:
            _quietly(self.api.remove_volume, volume, force=True)
        for image in reversed(self._images):
            _quietly(self.api.remove_image, image, force=True)
        self._containers, self._networks, self._volumes, self._images = [], [], [], []


def remove_leftovers(client: docker.DockerClient) -> None:
    """Removes what a crashed test run left: anything with TEST_LABEL."""
    label = {"label": TEST_LABEL}
    for container in client.containers.list(all=True, filters=label):
        _quietly(container.kill)
        _quietly(container.remove, force=True)
    for network in client.networks.list(filters=label):
        _quietly(network.remove)
    for volume in client.volumes.list(filters=label):
        _quietly(volume.remove, force=True)


def _quietly(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except (NotFound, APIError):
        pass
