"""volume-escalation on a real engine. The host folder is a test folder (``--set host_path``),
not this machine's /var/log."""

import os
import time

import pytest

from support.cli import all_passed, grade

EXERCISE = "volume-escalation"
CHECKS = ("container-mounts-host-path", "runs-as-root", "proof-written")
WRITE_PROOF = ["sh", "-c", "touch /youpi/escalation.txt; exec sh"]


@pytest.fixture(autouse=True)
def _a_rootful_engine(request, rootless):
    """Root in a rootless engine's containers is the engine's user, not the host's root: the
    exercise's risk cannot happen there (test_a_rootless_engine_says_it_prevents_the_risk)."""
    if rootless != ("rootless" in request.node.name):
        pytest.skip("rootless engines only" if not rootless else "rootful engines only")


def test_a_rootless_engine_says_it_prevents_the_risk(student, tmp_path):
    """The course's command on rootless Docker or podman: the write is refused, and the
    grader says why rather than a bare failure."""
    container = student.container("busybox", binds=["/var/log/:/youpi"], command=None)
    student.wait_running(container)
    refused = container.exec_run(["touch", "/youpi/escalation.txt"])

    run = grade(EXERCISE)

    assert refused.exit_code != 0
    assert run.statuses(EXERCISE) == {
        **all_passed("container-mounts-host-path", "runs-as-root"),
        "proof-written": "skipped",
    }
    message = run.check(EXERCISE, "proof-written")["message"]
    assert "rootless" in message and "already prevents the risk" in message


@pytest.fixture
def host_folder(tmp_path):
    folder = tmp_path / "log"
    folder.mkdir()
    folder.chmod(0o777)  # so that a non-root container can write too
    return folder


def run_busybox(student, host_folder, command=WRITE_PROOF, **options):
    """docker run -it -v HOST:/youpi busybox, then touch /youpi/escalation.txt inside."""
    container = student.container(
        "busybox", binds=[f"{host_folder}/:/youpi"], command=command, **options
    )
    deadline = time.monotonic() + 5
    while (
        command is WRITE_PROOF
        and not (host_folder / "escalation.txt").exists()
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    return container


def grade_with(host_folder, *settings):
    return grade(EXERCISE, settings=(f"host_path={host_folder}", *settings))


def test_course_solution_gets_full_score(student, host_folder):
    run_busybox(student, host_folder)

    run = grade_with(host_folder)

    assert run.exit_code == 0
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "proof-written")["evidence"]["owner_uid"] == 0


def test_an_exited_container_still_counts(student, host_folder):
    run_busybox(
        student,
        host_folder,
        command=["touch", "/youpi/escalation.txt"],
        interactive=False,
        tty=False,
    )
    time.sleep(0.5)

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_proof_file_older_than_the_container(student, host_folder):
    proof = host_folder / "escalation.txt"
    proof.touch()
    an_hour_ago = time.time() - 3600
    os.utime(proof, (an_hour_ago, an_hour_ago))
    run_busybox(student, host_folder, command=None)  # never wrote it

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS[:2]), "proof-written": "failed"}
    assert "older than the containers" in run.check(EXERCISE, "proof-written")["message"]


def test_a_container_run_as_another_user(student, host_folder):
    run_busybox(student, host_folder, user="1000")

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == {
        "container-mounts-host-path": "passed",
        "runs-as-root": "failed",
        "proof-written": "failed",
    }
    assert "uid 1000" in run.check(EXERCISE, "proof-written")["message"]


def test_root_writing_through_the_mount_of_a_container_run_as_another_user(student, host_folder):
    """``docker run --user nobody -v /var/log:/youpi``, then ``docker exec -u root ... sh -c
    'echo ... > /youpi/escalation.txt'``: root wrote through the mount, which is the risk."""
    container = run_busybox(student, host_folder, command=None, user="nobody")
    student.wait_running(container)
    time.sleep(1.1)  # the file's time, in whole seconds, comes after the container's creation
    written = container.exec_run(
        ["sh", "-c", "echo escalated > /youpi/escalation.txt"], user="root"
    )
    assert written.exit_code == 0

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "runs-as-root": "failed"}
    assert run.check(EXERCISE, "proof-written")["evidence"]["written_through"].startswith(
        container.name
    )


def test_a_container_made_just_after_roots_write_did_not_make_it(student, host_folder):
    """Within the same second, as a script goes: the times are compared to the microsecond."""
    (host_folder / "escalation.txt").touch()  # root's write, a moment before the container
    run_busybox(student, host_folder, command=["sleep", "600"], user="1000")

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE)["proof-written"] == "failed"
    assert "older than the containers" in run.check(EXERCISE, "proof-written")["message"]


def test_no_proof_written(student, host_folder):
    run_busybox(student, host_folder, command=None)

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS[:2]), "proof-written": "failed"}


def test_the_folder_mounted_elsewhere(student, host_folder):
    student.container("busybox", binds=[f"{host_folder}:/logs"])

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == {
        "container-mounts-host-path": "failed",
        "runs-as-root": "skipped",
        "proof-written": "skipped",
    }
    assert "/logs" in run.check(EXERCISE, "container-mounts-host-path")["message"]


def test_the_course_default_is_the_hosts_var_log(student):
    student.container("busybox", binds=["/tmp:/youpi"])

    run = grade(EXERCISE)

    message = run.check(EXERCISE, "container-mounts-host-path")["message"]
    assert run.statuses(EXERCISE)["container-mounts-host-path"] == "failed"
    assert "/var/log:/youpi" in message


def test_running_the_command_again_later_does_not_undo_the_proof(student, host_folder):
    run_busybox(student, host_folder)  # wrote escalation.txt
    time.sleep(1.1)  # tar times have whole seconds
    first_mtime = (host_folder / "escalation.txt").stat().st_mtime
    run_busybox(student, host_folder, command=None)  # again, later, just to look around

    run = grade_with(host_folder)

    assert (host_folder / "escalation.txt").stat().st_mtime == first_mtime
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


@pytest.mark.parametrize("user", ["00", "0:0", "root:root"])
def test_uid_0_however_written_is_root(student, host_folder, user):
    run_busybox(student, host_folder, user=user)

    assert grade_with(host_folder).statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_read_only_mount_did_not_write_the_proof(student, host_folder):
    (host_folder / "escalation.txt").touch()  # written by someone else, later than the container
    student.container("busybox", binds=[f"{host_folder}/:/youpi:ro"], command=["sleep", "600"])
    time.sleep(1.1)  # the file's time (whole seconds) must be after the container's creation
    os.utime(host_folder / "escalation.txt")

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE) == {
        **all_passed("container-mounts-host-path", "runs-as-root"),
        "proof-written": "failed",
    }
    assert "read-only" in run.check(EXERCISE, "proof-written")["message"]


def test_a_host_folder_removed_since_is_not_recreated(student, host_folder):
    run_busybox(student, host_folder)
    (host_folder / "escalation.txt").unlink()
    host_folder.rmdir()

    run = grade_with(host_folder)

    assert run.statuses(EXERCISE)["proof-written"] == "error"
    assert not host_folder.exists()
