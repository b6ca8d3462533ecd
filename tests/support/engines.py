"""More Docker engines on this machine, as other students' hosts: each dockerd in a network
namespace of its own (two engines in one namespace fight over docker0), with its own socket,
data root and exec root. ``nsenter --net`` rather than ``ip netns exec``, which remounts /sys
and hides the cgroup mounts dockerd needs.

>>> engine = ExtraEngine("dg-student-1")     # .start() runs it; .stop() ends it
>>> engine.docker_host
'unix:///run/docker-grade-test/dg-student-1.sock'
"""

from __future__ import annotations

import os
import signal
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
            "nsenter",
            f"--net=/var/run/netns/{self.name}",
            "dockerd",
            "--host",
            self.docker_host,
            "--data-root",
            str(DATA_DIR / self.name),
            "--exec-root",
            str(RUN_DIR / f"{self.name}-exec"),
            "--pidfile",
            str(RUN_DIR / f"{self.name}.pid"),
            *self.options,
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
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
        end_process(self.process)
        self._kill_leftovers()
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)

    def kill(self) -> None:
        """dockerd dies at once (SIGKILL), as in a crash: its containerd and shims stay."""
        self.process.kill()
        self.process.wait()

    def _kill_leftovers(self) -> None:
        """What a killed dockerd left: its containerd and shims (found by their exec root in
        their command line) with the containers they ran (the shims' children: each one the
        init of a pid namespace, whose death ends everything in it), and whatever else lives
        in its network namespace."""
        exec_root = str(RUN_DIR / f"{self.name}-exec")
        owners = [pid for pid, command in _processes() if exec_root in command]
        children = [pid for pid in _processes_with_parents(owners)]
        listed = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True)
        for pid in [*children, *owners, *map(int, listed.stdout.split())]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if owners:  # its containers' file systems stay mounted: the next start needs them gone
            roots = (str(DATA_DIR / self.name) + "/", exec_root + "/")
            for line in reversed(Path("/proc/mounts").read_text().splitlines()):
                target = line.split()[1]
                if target.startswith(roots):
                    subprocess.run(["umount", "-l", target], capture_output=True)

    def _namespace(self) -> None:
        network_namespace(self.name)

    def _wait(self, timeout: float) -> None:
        wait_until_it_answers(self.process, self.client, self.log, f"dockerd {self.name}", timeout)


def end_process(process: subprocess.Popen | None, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; nothing if it already ended."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def network_namespace(name: str) -> None:
    """The namespace ``name``, made if missing, with its loopback up."""
    if not Path(f"/var/run/netns/{name}").exists():
        subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)


def wait_until_it_answers(
    process: subprocess.Popen, client, log: Path, what: str, timeout: float
) -> None:
    """Until an engine's API answers a ping (``client()`` makes a client of it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text()[-2000:]}")
        try:
            connected = client()
            connected.ping()
            connected.close()
            return
        except docker.errors.DockerException:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer in {timeout:.0f} s")


def _has_image(client: docker.DockerClient, reference: str) -> bool:
    try:
        client.images.get(reference)
        return True
    except docker.errors.ImageNotFound:
        return False


def _processes() -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append(
                    (
                        int(entry.name),
                        (entry / "cmdline")
                        .read_bytes()
                        .replace(b"\0", b" ")
                        .decode(errors="replace"),
                    )
                )
            except OSError:
                continue
    return found


def _processes_with_parents(parents: list[int]) -> list[int]:
    wanted, found = set(parents), []
    for pid, _ in _processes():
        try:
            stat = (Path("/proc") / str(pid) / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent in wanted:
            found.append(pid)
    return found
