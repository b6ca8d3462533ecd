"""Reading a container's file through get_archive: content, owner, time; absent; vanished."""

import os

import pytest
from docker.errors import NotFound

from grader.engine.client import connect
from grader.engine.files import read_file


@pytest.fixture
def api(docker_client):
    engine = connect()
    yield engine.api
    engine.close()


def test_a_file_through_a_bind_mount_keeps_owner_and_time(student, api, tmp_path):
    (tmp_path / "proof.txt").write_text("written\n")
    os.chown(tmp_path / "proof.txt", 1234, 1234)
    os.utime(tmp_path / "proof.txt", (1_700_000_000, 1_700_000_000))
    container = student.container("busybox", binds=[f"{tmp_path}:/data"])

    found = read_file(api, container.id, "/data/proof.txt")

    assert (found.text, found.uid, int(found.modified.timestamp())) == (
        "written\n",
        1234,
        1_700_000_000,
    )
    assert read_file(api, container.id, "/data/absent.txt") is None


def test_a_vanished_container_is_not_an_absent_file(student, api):
    container = student.container("busybox")
    container.remove(force=True)
    with pytest.raises(NotFound):
        read_file(api, container.id, "/etc/hostname")
