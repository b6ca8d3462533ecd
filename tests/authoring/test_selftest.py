"""selftest on a throwaway engine: the course's eight exercises, and a pack written outside
the repository as docs/authoring.md says (new, validate, list, selftest, check)."""

from __future__ import annotations

import os
import subprocess

import pytest

from support.cli import docker_grade

pytestmark = pytest.mark.engine


def test_the_eight_course_exercises_behave(throwaway_engine):
    run = docker_grade("selftest", "--docker-host", throwaway_engine.docker_host, timeout=900)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "FAIL" not in run.stdout
    assert run.stdout.count("empty engine") == 8 and run.stdout.count(" solution ") == 8
    assert "8/8 exercises behave" in run.stdout
    _assert_left_empty(throwaway_engine)


def test_a_new_pack_is_listed_validated_selftested_and_graded(throwaway_engine, tmp_path):
    pack, host = tmp_path / "my-course", throwaway_engine.docker_host
    assert docker_grade("new", "notes-volume", "--dir", str(pack)).exit_code == 0
    validated = docker_grade("validate", str(pack))
    assert validated.exit_code == 0 and validated.stdout == "", validated.stdout
    listed = docker_grade("list", "--exercises", str(pack))
    assert "9. notes-volume" in listed.stdout and str(pack) in listed.stdout

    tested = docker_grade("selftest", "--exercises", str(pack), "--docker-host", host)
    assert tested.exit_code == 0, tested.stdout + tested.stderr
    assert [line.split()[:3] for line in tested.stdout.splitlines()[:4]] == [
        ["ok", "notes-volume", "empty"],
        ["ok", "notes-volume", "solution"],
        ["ok", "notes-volume", "anonymous-volume"],
        ["ok", "notes-volume", "container-kept"],
    ]
    _assert_left_empty(throwaway_engine)

    _run(pack / "solutions" / "notes-volume" / "solution.sh", host)
    try:
        graded = docker_grade(
            "check",
            "notes-volume",
            "--exercises",
            str(pack),
            "--docker-host",
            host,
            "--format",
            "json",
        )
        assert graded.exit_code == 0, graded.stderr
        assert graded.statuses("notes-volume") == {
            "volume-exists": "passed",
            "writer-removed": "passed",
            "file-kept": "passed",
        }
        assert "note.txt holds: hello" in graded.check("notes-volume", "file-kept")["message"]
    finally:
        _remove_everything(throwaway_engine)


def test_a_solution_that_falls_short_is_reported(throwaway_engine, tmp_path):
    pack = tmp_path / "pack"
    docker_grade("new", "notes-volume", "--dir", str(pack))
    script = pack / "solutions" / "notes-volume" / "solution.sh"
    script.write_text(script.read_text().replace("docker rm writer\n", ""))
    run = docker_grade(
        "selftest", "--exercises", str(pack), "--docker-host", throwaway_engine.docker_host
    )
    assert run.exit_code == 1
    assert "FAIL notes-volume           solution" in run.stdout
    assert "writer-removed: failed" in run.stdout
    assert "0/1 exercises behave" in run.stdout
    _assert_left_empty(throwaway_engine)


def test_an_engine_with_containers_is_refused(throwaway_engine):
    client = throwaway_engine.client()
    container = client.api.create_container("busybox:latest", name="someone-else")
    try:
        run = docker_grade(
            "selftest", "custom-bridge", "--docker-host", throwaway_engine.docker_host
        )
        assert run.exit_code == 2
        assert "holds 1 container(s) (someone-else)" in run.stderr and "--force" in run.stderr
    finally:
        client.api.remove_container(container["Id"], force=True)
        client.close()


def test_a_broken_check_module_leaves_the_other_exercises_graded(throwaway_engine, tmp_path):
    pack = tmp_path / "pack"
    docker_grade("new", "notes-volume", "--dir", str(pack))
    (pack / "checks" / "notes_volume.py").write_text("import not_a_module\n")
    run = docker_grade(
        "check",
        "custom-bridge",
        "notes-volume",
        "--exercises",
        str(pack),
        "--docker-host",
        throwaway_engine.docker_host,
        "--format",
        "json",
    )
    assert run.exit_code == 1, run.stderr
    assert set(run.statuses("notes-volume").values()) == {"error"}
    assert (
        "could not be loaded: ModuleNotFoundError"
        in run.check("notes-volume", "volume-exists")["message"]
    )
    assert run.statuses("custom-bridge")["network-exists"] == "failed"


def _run(script, docker_host: str) -> None:
    subprocess.run(
        ["sh", str(script)],
        cwd=script.parent,
        check=True,
        capture_output=True,
        env={**os.environ, "DOCKER_HOST": docker_host},
    )


def _remove_everything(engine) -> None:
    client = engine.client()
    for container in client.api.containers(all=True):
        client.api.remove_container(container["Id"], force=True, v=True)
    for volume in client.api.volumes().get("Volumes") or []:
        client.api.remove_volume(volume["Name"], force=True)
    client.close()


def _assert_left_empty(engine) -> None:
    client = engine.client()
    try:
        assert client.api.containers(all=True) == []
        assert client.api.volumes().get("Volumes") in (None, [])
        assert {n["Name"] for n in client.api.networks()} == {"bridge", "host", "none"}
        tags = {t for i in client.api.images() for t in i.get("RepoTags") or []}
        assert tags == {"busybox:latest", "nginx:alpine", "node:lts-alpine"}
    finally:
        client.close()
