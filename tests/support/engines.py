"""More Docker engines on this machine, as other students' hosts: each dockerd in a network
namespace of its own (two engines in one namespace fight over docker0), with its own socket,
data root and exec root. ``nsenter --net`` rather than ``ip netns exec``, which remounts /sys
and hides the cgroup mounts dockerd needs.

>>> engine = ExtraEngine("dg-student-1").start()      # doctest: +SKIP
>>> engine.docker_host
'unix:///run/docker-grade-test/dg-student-1.sock'
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import docker

RUN_DIR = Path("/run/docker-grade-test")
DATA_DIR = Path("/var/lib/docker-grade-test")  # kept between runs: loaded images stay cached
FIXTURE_IMAGES = ("busybox:latest", "nginx:alpine")


class ExtraEngine:
    def __init__(self, name: str, *options: str):
        self.name = name
        self.options = options  # more dockerd flags, e.g. --userns-remap=default
        self.socket = RUN_DIR / f"{name}.sock"
        self.log = RUN_DIR / f"{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 60.0) -> ExtraEngine:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        self._namespace()
        command = [
            "nsenter", f"--net=/var/run/netns/{self.name}", "dockerd",
            "--host", self.docker_host, "--data-root", str(DATA_DIR / self.name),
            "--exec-root", str(RUN_DIR / f"{self.name}-exec"),
            "--pidfile", str(RUN_DIR / f"{self.name}.pid"), *self.options,
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait(timeout)
        return self

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.docker_host, timeout=60)

    def load_images(self, source: docker.DockerClient, images=FIXTURE_IMAGES) -> None:
        """The fixture images, streamed from the main engine (no registry to pull from)."""
        target = self.client()
        try:
            for image in images:
                if not _has_image(target, image):
                    target.api.load_image(source.api.get_image(image))
        finally:
            target.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)

    def _namespace(self) -> None:
        if not Path(f"/var/run/netns/{self.name}").exists():
            subprocess.run(["ip", "netns", "add", self.name], check=True)
        subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dockerd {self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                client = self.client()
                client.ping()
                client.close()
                return
            except docker.errors.DockerException:
                time.sleep(0.2)
        raise RuntimeError(f"dockerd {self.name} did not answer in {timeout:.0f} s")


def _has_image(client: docker.DockerClient, reference: str) -> bool:
    try:
        client.images.get(reference)
        return True
    except docker.errors.ImageNotFound:
        return False
