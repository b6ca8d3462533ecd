"""A podman engine on this machine, as a Fedora student's host: ``podman system service``
answering the Docker API on a socket of its own, in a network namespace of its own (like
support.engines), with a private containers.conf and storage under the tests' folders, so
that nothing else on the machine is touched.

>>> service = PodmanService().start()                 # doctest: +SKIP
>>> service.load(docker_client, "docker-grade-test/node-good", "mine/node")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import docker

from support.engines import DATA_DIR, RUN_DIR, end_process, network_namespace, wait_until_it_answers
from support.student import remove_leftovers

NAME = "dg-podman"
# Rootful podman gives every container an open-files limit above this machine's hard limit
# unless told otherwise: runc then fails ("error setting rlimit type 7: operation not
# permitted"); an empty list keeps the service's own. No systemd or journald here: cgroupfs,
# events in a file. Locks, state and network definitions stay in the tests' folders, off
# /dev/shm, /run/libpod and /etc/containers, which any other podman would use (all but
# netavark's address book, /run/containers/networks, fixed for rootful podman).
#
# CONTAINERS_CONF makes podman read that file only, not the distribution's: what it sets for
# every student (DISTRIBUTION_DEFAULTS) is carried over, or podman would run with its compiled-in
# defaults (NET_RAW among the capabilities, where Debian's and Fedora's leave it out and set
# net.ipv4.ping_group_range instead). Podman 4.3 has no CONTAINERS_CONF_OVERRIDE.
CONTAINERS_CONF = """\
[containers]
default_ulimits = []
log_driver = "k8s-file"
{distribution}

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{run}/events.log"
tmp_dir = "{run}/libpod"
lock_type = "file"

[network]
network_backend = "netavark"
network_config_dir = "{data}/networks"
"""
DISTRIBUTION_CONF = (
    Path("/usr/share/containers/containers.conf"),  # the package's
    Path("/etc/containers/containers.conf"),  # the administrator's, when there is one
)
DISTRIBUTION_DEFAULTS = ("default_capabilities", "default_sysctls")
STORAGE_CONF = """\
[storage]
driver = "overlay"
graphroot = "{data}/storage"
runroot = "{run}/storage"
"""
# The images a student would have pulled, under the names a pull gives them on podman
# (``podman load`` of a ``docker save`` would name them localhost/busybox...).
PULLED_IMAGES = {
    "busybox:latest": "docker.io/library/busybox:latest",
    "nginx:alpine": "docker.io/library/nginx:alpine",
}


class PodmanService:
    def __init__(self, name: str = NAME):
        self.name = name
        self.run_dir = RUN_DIR / "podman"
        self.data_dir = DATA_DIR / "podman"  # kept between runs: loaded images stay cached
        self.socket = RUN_DIR / "podman.sock"
        self.log = RUN_DIR / "podman.log"
        self.process: subprocess.Popen | None = None

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def environment(self) -> dict[str, str]:
        """What makes the podman CLI and service use this engine's files only."""
        return {
            **os.environ,
            "CONTAINERS_CONF": str(self.run_dir / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(self.run_dir / "storage.conf"),
        }

    def start(self, timeout: float = 60.0) -> PodmanService:
        self._write_configuration()
        self._namespace()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self._in_namespace("podman", "system", "service", "--time=0", self.docker_host),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.environment,
                start_new_session=True,
            )
        self._wait(timeout)
        self._remove_leftovers()  # a crashed run's, kept in the data folder
        return self

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.docker_host, timeout=60)

    def podman(self, *args: str, stdin=None) -> str:
        """The podman CLI on this engine, as the student types it."""
        completed = subprocess.run(
            self._in_namespace("podman", *args),
            env=self.environment,
            stdin=stdin,
            capture_output=True,
            text=stdin is None,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)}: {completed.stderr}")
        return completed.stdout

    def load(self, source: docker.DockerClient, image: str, name: str | None = None) -> None:
        """``docker save IMAGE | podman load``, then named ``name`` if given; skipped when this
        engine already holds the image under that name (same id)."""
        wanted_id = source.images.get(image).id
        if name and self._image_id(name) == wanted_id:
            return
        loaded = f"localhost/{image}"  # what podman calls an archive's short name
        stream = source.api.get_image(image)
        with subprocess.Popen(
            self._in_namespace("podman", "load"),
            env=self.environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ) as loader:
            for chunk in stream:
                loader.stdin.write(chunk)
            loader.stdin.close()
            if loader.wait() != 0:
                raise RuntimeError(f"podman load {image}: {loader.stderr.read().decode()}")
        if name:
            self.podman("tag", loaded, name)
            self.podman("untag", loaded, loaded)

    def load_pulled_images(self, source: docker.DockerClient) -> None:
        for image, name in PULLED_IMAGES.items():
            self.load(source, image, name)

    def stop(self) -> None:
        """Removes every container (the engine is the tests' own; no conmon must outlive the
        service) and what else the tests left, stops the service, deletes its namespace."""
        if self.process and self.process.poll() is None:
            self._remove_leftovers()
            end_process(self.process)
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)

    def _remove_leftovers(self) -> None:
        """Every container (the engine is the tests' own), then the labelled networks and
        volumes."""
        self.podman("rm", "--all", "--force", "--time", "0")
        client = self.client()
        try:
            remove_leftovers(client)
        finally:
            client.close()

    def _image_id(self, name: str) -> str | None:
        completed = subprocess.run(
            self._in_namespace("podman", "image", "inspect", "--format", "{{.Id}}", name),
            env=self.environment,
            capture_output=True,
            text=True,
        )
        return f"sha256:{completed.stdout.strip()}" if completed.returncode == 0 else None

    def _in_namespace(self, *command: str) -> list[str]:
        return ["nsenter", f"--net=/var/run/netns/{self.name}", *command]

    def _write_configuration(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        paths = {"run": self.run_dir, "data": self.data_dir}
        (self.run_dir / "containers.conf").write_text(
            CONTAINERS_CONF.format(**paths, distribution=distribution_defaults())
        )
        (self.run_dir / "storage.conf").write_text(STORAGE_CONF.format(**paths))

    def _namespace(self) -> None:
        network_namespace(self.name)

    def _wait(self, timeout: float) -> None:
        wait_until_it_answers(self.process, self.client, self.log, "podman system service", timeout)


def distribution_defaults(files: tuple[Path, ...] = DISTRIBUTION_CONF) -> str:
    """The [containers] settings of DISTRIBUTION_DEFAULTS that the distribution's
    containers.conf files set (a later file's win), as TOML lines.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     conf = Path(folder) / "containers.conf"
    ...     text = '[containers]\\ndefault_sysctls = ["net.ipv4.ping_group_range=0 0"]\\n'
    ...     _ = conf.write_text(text)
    ...     print(distribution_defaults((conf, Path(folder) / "missing.conf")))
    default_sysctls = ["net.ipv4.ping_group_range=0 0"]
    """
    if sys.version_info < (3, 11):  # no tomllib: the compiled-in defaults, as before
        return ""
    import tomllib

    settings: dict[str, list[str]] = {}
    for path in files:
        if path.is_file():
            with path.open("rb") as file:
                containers = tomllib.load(file).get("containers", {})
            settings.update({k: containers[k] for k in DISTRIBUTION_DEFAULTS if k in containers})
    # a list of strings is written the same in JSON and TOML
    return "\n".join(f"{key} = {json.dumps(value)}" for key, value in settings.items())
