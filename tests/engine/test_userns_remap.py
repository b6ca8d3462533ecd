"""An engine with --userns-remap (container root is an unprivileged host uid): probes still
work, and what "root" means cannot be read from container uids, so those checks say so."""

import pytest

from support.cli import all_passed, grade
from support.engines import ExtraEngine
from support.student import StudentHost


@pytest.fixture(scope="module")
def remapped(docker_client, fixture_images):
    engine = ExtraEngine("dg-userns", "--userns-remap=default")
    try:
        engine.start()
        engine.load_images(docker_client, images=("busybox:latest",))
        yield engine
    finally:
        engine.stop()


@pytest.fixture
def host(remapped):
    student = StudentHost(remapped.client())
    yield student
    student.remove_all()
    student.client.close()


def test_network_probes_work_under_userns_remap(remapped, host):
    host.network("net-a")
    host.network("net-b")
    host.container("busybox", network="net-a")
    host.container("busybox", network="net-b")

    run = grade("network-isolation", extra=("--docker-host", remapped.docker_host))

    assert run.statuses("network-isolation") == all_passed(
        "two-bridge-networks",
        "separate-networks",
        "host-reaches-a",
        "host-reaches-b",
        "b-cannot-reach-a",
    )


def test_root_ownership_is_undecided_under_userns_remap(remapped, host, tmp_path):
    folder = tmp_path / "log"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    container = host.container(
        "busybox",
        binds=[f"{folder}:/youpi"],
        command=["sh", "-c", "touch /youpi/escalation.txt; exec sh"],
    )
    host.wait_running(container)

    run = grade(
        "volume-escalation",
        settings=(f"host_path={folder}",),
        extra=("--docker-host", remapped.docker_host),
    )

    assert (folder / "escalation.txt").stat().st_uid != 0  # root inside is not root outside
    statuses = run.statuses("volume-escalation")
    assert statuses["proof-written"] == "error"
    assert "userns-remap" in run.check("volume-escalation", "proof-written")["message"]
