"""Fixtures for tests against a real Docker engine (see .ci/run, which starts one)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import pytest

from support.engines import ExtraEngine
from support.student import StudentHost, remove_leftovers

_IMAGES = Path(__file__).parent / "images" / "build.py"


def _load_image_builder():
    spec = importlib.util.spec_from_file_location("fixture_images", _IMAGES)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except docker.errors.DockerException as error:
        pytest.fail(f"these tests need a Docker engine (bash .ci/run starts one): {error}")
    remove_leftovers(client)
    _require_a_clean_engine(client)
    yield client
    remove_leftovers(client)
    client.close()


@pytest.fixture
def engine(docker_client):
    """The grader's own connection to the test engine (grader.engine.client.connect)."""
    from grader.engine.client import connect

    engine = connect()
    yield engine
    engine.close()


def _require_a_clean_engine(client: docker.DockerClient) -> None:
    """Discovery grades whatever runs: a container or network of someone else's would change
    the verdicts these tests expect, so they refuse to run beside one."""
    containers = [c["Names"][0] for c in client.api.containers(all=True)]
    networks = [
        n["Name"] for n in client.api.networks() if n["Name"] not in ("bridge", "host", "none")
    ]
    if containers or networks:
        pytest.exit(
            f"the engine is not clean (containers: {containers}, networks: {networks}); "
            "these tests need one with no other containers or networks",
            returncode=1,
        )


@pytest.fixture(scope="session")
def engine_info() -> dict:
    """The engine's /info, {} without one: asked apart from docker_client, which cleans the
    engine, so that tests needing no engine never touch it."""
    try:
        client = docker.from_env(timeout=60)
        try:
            return client.info()
        finally:
            client.close()
    except docker.errors.DockerException:
        return {}


@pytest.fixture(scope="session")
def rootless(engine_info) -> bool:
    """The engine runs as a user (rootless Docker or podman): its root is not the host's."""
    return any("name=rootless" in o for o in engine_info.get("SecurityOptions") or ())


@pytest.fixture(autouse=True)
def _tmp_path_reachable_by_a_rootless_engine(request):
    """A rootless engine is another user, who must reach the folders a test bind-mounts:
    pytest makes them 0700 under /tmp. Others may then traverse them, not list them."""
    if "tmp_path" not in request.fixturenames or not request.getfixturevalue("rootless"):
        return
    folder = request.getfixturevalue("tmp_path")
    while str(folder) not in ("/", "/tmp"):
        folder.chmod(folder.stat().st_mode | 0o011)
        folder = folder.parent


@pytest.fixture(scope="session")
def fixture_images(docker_client) -> None:
    """busybox, nginx:alpine and node:lts-alpine, built offline once per machine."""
    _load_image_builder().ensure_images(quiet=True)


@pytest.fixture
def student(docker_client, fixture_images) -> StudentHost:
    """A student's host state, built by the test and removed afterwards, pass or fail."""
    host = StudentHost(docker_client)
    yield host
    host.remove_all()


# busybox's own sh runs its built-in ping whatever PATH says: a liar image uses the host's dash
# as sh (with its C library), so that its /bin/ping script is what `ping` runs everywhere.
DASH_FILES = ("/bin/dash", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2")
_WITH_DASH = "COPY rootfs/ /\nRUN ln -sf /bin/dash /bin/sh\n"
_LIE = "RUN rm /bin/ping && printf '#!/bin/sh\\n{body}\\n' > /bin/ping && chmod +x /bin/ping\n"
LYING_PING_IMAGES = {
    # A student's (or a probe) image whose ping lies must change no verdict to passed.
    "docker-grade-test/ping-always-succeeds": "FROM busybox\n"
    + _WITH_DASH
    + _LIE.format(body="echo 64 bytes from $1\\nexit 0"),
    "docker-grade-test/ping-always-fails": "FROM busybox\n"
    + _WITH_DASH
    + _LIE.format(body="exit 1"),
    "docker-grade-test/no-ping": "FROM busybox\nRUN rm /bin/ping\n",
}


def _dash_files() -> dict[str, bytes]:
    return {f"rootfs{path}": Path(path).read_bytes() for path in DASH_FILES}


@pytest.fixture(scope="session")
def lying_images(docker_client, fixture_images) -> dict[str, str]:
    host = StudentHost(docker_client)
    for tag, dockerfile in LYING_PING_IMAGES.items():
        host.build(tag, dockerfile, _dash_files() if "dash" in dockerfile else None)
    yield {tag.split("/")[1]: tag for tag in LYING_PING_IMAGES}
    host.remove_all()


@pytest.fixture(scope="session")
def node_images(docker_client, fixture_images) -> dict[str, str]:
    """The course's mine/node image and typical wrong ones, built once, under test tags."""
    from support.node_app import (
        APP_FILES,
        FIXED_DOCKERFILE,
        ROOT_DOCKERFILE,
        SINGLE_STAGE_SHELL_CMD,
    )

    host = StudentHost(docker_client)
    recipes = {
        "good": FIXED_DOCKERFILE,
        "single-stage": SINGLE_STAGE_SHELL_CMD,
        "root": ROOT_DOCKERFILE,
    }
    tags = {}
    for name, dockerfile in recipes.items():
        tags[name] = f"docker-grade-test/node-{name}"
        host.build(tags[name], dockerfile, APP_FILES)
    yield tags
    host.remove_all()


# -- other students' hosts: three extra dockerd, each in its own network namespace, one of them
# also reached over ssh:// through a real sshd on loopback ----------------------------------
SSH_PORT = 2222


@pytest.fixture(scope="session")
def class_engines(docker_client, fixture_images):
    engines = [ExtraEngine(f"dg-student-{n}") for n in (1, 2, 3)]
    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            list(pool.map(lambda engine: engine.start(), engines))
        for engine in engines:
            engine.load_images(docker_client)
            client = engine.client()
            remove_leftovers(client)
            client.close()
        yield engines
    finally:
        for engine in engines:
            engine.stop()


@pytest.fixture(scope="session")
def ssh_access(class_engines, tmp_path_factory):
    """sshd on 127.0.0.1:2222 whose sessions use the second engine, and an environment whose
    ``ssh`` (the one docker's ssh:// client runs) knows the test's key."""
    if shutil.which("sshd") is None and not Path("/usr/sbin/sshd").exists():
        pytest.fail("these tests need Debian's openssh-server (scripts/test.sh installs it)")
    home = tmp_path_factory.mktemp("ssh")
    key = home / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / "host_key")], check=True
    )
    shutil.copy(f"{key}.pub", home / "authorized_keys")
    (home / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1:{SSH_PORT}\nHostKey {home}/host_key\n"
        f"AuthorizedKeysFile {home}/authorized_keys\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nUsePAM no\nStrictModes no\n"
        f"SetEnv DOCKER_HOST={class_engines[1].docker_host}\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    sshd = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(home / "sshd_config")], stderr=subprocess.PIPE
    )
    bin_dir = home / "bin"
    bin_dir.mkdir()
    (home / "ssh_config").write_text(
        f"Host 127.0.0.1\n  Port {SSH_PORT}\n  IdentityFile {key}\n  IdentitiesOnly yes\n"
        "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n"
    )
    wrapper = bin_dir / "ssh"
    wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/ssh -F {home}/ssh_config "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    _wait_for_ssh(env)
    yield {"docker_host": f"ssh://root@127.0.0.1:{SSH_PORT}", "env": env}
    sshd.terminate()
    sshd.wait(timeout=10)


def _wait_for_ssh(env, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            subprocess.run(
                ["ssh", "root@127.0.0.1", "true"], env=env, capture_output=True
            ).returncode
            == 0
        ):
            return
        time.sleep(0.2)
    raise RuntimeError("sshd on 127.0.0.1:2222 did not accept the test key")


PROOF = Path("/var/log/escalation.txt")  # the course's own path: a test writes it for real


@pytest.fixture
def proof_file():
    """volume-escalation's proof on this host, removed after the test unless it was there."""
    existed = PROOF.exists()
    yield PROOF
    if not existed:
        PROOF.unlink(missing_ok=True)


# -- markers ---------------------------------------------------------------------------------
# A test that asks for one of these needs a real engine: it is marked `engine`, so that
# `pytest -m "not engine"` runs the rest in seconds.
ENGINE_FIXTURES = {
    "docker_client",
    "fixture_images",
    "student",
    "lying_images",
    "node_images",
    "class_engines",
    "ssh_access",
    "throwaway_engine",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine)
