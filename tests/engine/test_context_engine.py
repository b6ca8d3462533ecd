"""A student whose engine is not on the default socket (colima, Docker Desktop, OrbStack):
`docker-grade check`, run as them, grades the engine of their docker CLI's current context.

The student is a non-root member of the `docker` group; their engine is an extra dockerd with a
group-owned socket at a non-default path; /var/run/docker.sock is hidden from them by a bind
mount in a private mount namespace (the machine's own socket is untouched).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import docker
import pytest

from support.cli import EXECUTABLE, GraderRun
from support.engines import ExtraEngine
from support.student import LABELS, remove_leftovers

STUDENT = "dg-student"
CONTEXT = "dg-laptop"


@pytest.fixture(scope="module")
def student_user():
    """A non-root user of the `docker` group, created (and removed) here when missing."""
    created = []
    if not _exists(grp.getgrnam, "docker"):
        subprocess.run(["groupadd", "docker"], check=True)
        created.append(["groupdel", "docker"])
    if not _exists(pwd.getpwnam, STUDENT):
        subprocess.run(
            [
                "useradd",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "--groups",
                "docker",
                STUDENT,
            ],
            check=True,
        )
        created.insert(0, ["userdel", STUDENT])
    yield pwd.getpwnam(STUDENT)
    for command in created:
        subprocess.run(command, check=True)


def _exists(lookup, name: str) -> bool:
    try:
        lookup(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def laptop_engine(student_user):
    """The student's engine: a dockerd whose socket the `docker` group may use."""
    engine = ExtraEngine("dg-context", "--group", "docker")
    try:
        yield engine.start()
    finally:
        engine.stop()


@pytest.fixture
def laptop_client(laptop_engine):
    client = laptop_engine.client()
    yield client
    remove_leftovers(client)
    client.close()


@pytest.fixture
def home(student_user):
    """The student's folder, readable by them (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="dg-home-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def docker_cli(config: Path, *args: str) -> None:
    subprocess.run(
        ["docker", *args],
        check=True,
        capture_output=True,
        env={"PATH": os.environ["PATH"], "DOCKER_CONFIG": str(config)},
    )


def as_student(user: pwd.struct_passwd, home: Path, *command: str, **variables: str) -> GraderRun:
    """``command`` run as ``user``, in a mount namespace where /var/run/docker.sock is an
    empty file, with only ``variables`` beyond PATH and HOME in its environment."""
    environ = {"PATH": os.environ["PATH"], "HOME": str(home), **variables}
    completed = subprocess.run(
        [
            "unshare",
            "--mount",
            "sh",
            "-c",
            _private_mounts(home),
            "sh",
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--init-groups",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in environ.items()),
            *command,
        ],
        capture_output=True,
        text=True,
        cwd=home,
        timeout=120,
    )
    return GraderRun(completed.returncode, completed.stdout, completed.stderr)


def _private_mounts(home: Path) -> str:
    """The mounts of the student's namespace, then ``exec "$@"``: the default socket hidden
    under an empty file; and the Python the tests run on, when it lies in a folder other users
    cannot enter (pyenv in /root), shown to them alone, under a world-readable tmpfs."""
    hidden = home / "no-engine-here"
    hidden.touch()
    hidden.chmod(0o666)  # connecting to it is refused, as to a socket nobody listens on
    steps = [f"mount --bind {shlex.quote(str(hidden))} /var/run/docker.sock"]
    python = Path(sys.base_prefix).resolve()
    closed = next(
        (folder for folder in reversed(python.parents) if not folder.stat().st_mode & stat.S_IXOTH),
        None,
    )
    if closed is not None:
        stash, python, closed = (
            shlex.quote(str(path)) for path in (home / ".python", python, closed)
        )
        steps += [
            f"mkdir -p {stash}",
            f"mount --bind {python} {stash}",
            f"mount -t tmpfs -o mode=0755 tmpfs {closed}",
            f"mkdir -p {python}",
            f"mount --bind {stash} {python}",
        ]
    return " && ".join([*steps, 'exec "$@"'])


def test_the_current_context_is_graded_for_a_user_without_the_default_socket(
    student_user, laptop_engine, laptop_client, home
):
    config = home / ".docker"
    docker_cli(
        config, "context", "create", CONTEXT, "--docker", f"host={laptop_engine.docker_host}"
    )
    docker_cli(config, "context", "use", CONTEXT)
    subprocess.run(["chmod", "-R", "a+rX", str(config)], check=True)
    subnet = docker.types.IPAMPool(subnet="192.168.0.0/24")
    laptop_client.networks.create(
        "mybridge",
        driver="bridge",
        labels=LABELS,
        ipam=docker.types.IPAMConfig(pool_configs=[subnet]),
    )
    engine_id = laptop_client.info()["ID"]

    run = as_student(student_user, home, EXECUTABLE, "check", "custom-bridge", "--format", "json")
    docker_says = as_student(student_user, home, "docker", "info", "--format", "{{.ID}}")

    assert run.exit_code == 1, run.stderr
    host = json.loads(run.stdout)["host"]
    assert (host["chosen_by"], host["context"], host["docker_host"], host["engine_id"]) == (
        "context",
        CONTEXT,
        laptop_engine.docker_host,
        engine_id,
    )
    assert docker_says.stdout.strip() == engine_id  # the engine the docker CLI finds, too
    assert run.statuses("custom-bridge")["network-exists"] == "passed"


def test_without_a_context_the_default_socket_keeps_its_message(student_user, home):
    run = as_student(student_user, home, EXECUTABLE, "check", "custom-bridge")
    assert run.exit_code == 3, run.stderr
    assert run.stderr == (
        "docker-grade: cannot use the Docker engine at "
        "unix:///var/run/docker.sock: no engine answers there "
        "(is Docker running?)\n"
    )
