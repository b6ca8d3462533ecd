"""Three students' Docker hosts (extra dockerd, each in its own network namespace), one of
them reached over ssh:// through a real sshd on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support.engines import ExtraEngine
from support.student import StudentHost, remove_leftovers

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


@pytest.fixture
def students(class_engines):
    """A StudentHost on each engine; whatever a test builds there is removed after it."""
    hosts = [StudentHost(engine.client()) for engine in class_engines]
    yield hosts
    for host in hosts:
        host.remove_all()
        host.client.close()


@pytest.fixture(scope="session")
def ssh_access(class_engines, tmp_path_factory):
    """sshd on 127.0.0.1:2222 whose sessions use the second engine, and an environment whose
    ``ssh`` (the one docker's ssh:// client runs) knows the test's key."""
    if shutil.which("sshd") is None and not Path("/usr/sbin/sshd").exists():
        pytest.fail("these tests need Debian's openssh-server (scripts/test.sh installs it)")
    home = tmp_path_factory.mktemp("ssh")
    key = home / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / "host_key")],
                   check=True)
    shutil.copy(f"{key}.pub", home / "authorized_keys")
    (home / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1:{SSH_PORT}\nHostKey {home}/host_key\n"
        f"AuthorizedKeysFile {home}/authorized_keys\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nUsePAM no\nStrictModes no\n"
        f"SetEnv DOCKER_HOST={class_engines[1].docker_host}\n")
    Path("/run/sshd").mkdir(exist_ok=True)
    sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(home / "sshd_config")],
                            stderr=subprocess.PIPE)
    bin_dir = home / "bin"
    bin_dir.mkdir()
    (home / "ssh_config").write_text(
        f"Host 127.0.0.1\n  Port {SSH_PORT}\n  IdentityFile {key}\n  IdentitiesOnly yes\n"
        "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n")
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
        if subprocess.run(["ssh", "root@127.0.0.1", "true"], env=env,
                          capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("sshd on 127.0.0.1:2222 did not accept the test key")
