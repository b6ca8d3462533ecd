"""best-practices on a real engine: limits and privileges from inspect, processes from top."""

import pytest

from support.cli import all_passed, grade

EXERCISE = "best-practices"
CHECKS = ("memory-limited", "cpu-limited", "pids-limited", "not-privileged", "non-root",
          "no-sensitive-mounts", "single-process")
PRODUCTION = {"mem_limit": "256m", "nano_cpus": 500_000_000, "pids_limit": 100}


@pytest.fixture
def mine_node(student, node_images):
    student.tag(node_images["good"], "mine/node")


def run_app(student, **options):
    """docker run -d --memory=256m --cpus=0.5 --pids-limit=100 ... mine/node"""
    container = student.container("mine/node", interactive=False, tty=False, **options)
    student.wait_running(container)
    return container


def test_course_solution_gets_full_score(student, mine_node):
    run_app(student, **PRODUCTION)

    run = grade(EXERCISE)

    assert run.exit_code == 0
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_no_limits(student, mine_node):
    run_app(student)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "memory-limited": "failed",
                                      "cpu-limited": "failed", "pids-limited": "failed"}


def test_a_memory_limit_above_the_cap(student, mine_node):
    run_app(student, **{**PRODUCTION, "mem_limit": "1g"})

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "memory-limited": "failed"}
    assert "512m" in run.check(EXERCISE, "memory-limited")["message"]
    assert grade(EXERCISE, settings=("max_memory=2g",)).statuses(EXERCISE) == all_passed(*CHECKS)


def test_privileged(student, mine_node):
    run_app(student, privileged=True, **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "not-privileged": "failed"}


def test_an_added_capability(student, mine_node):
    run_app(student, cap_add=["NET_ADMIN"], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "not-privileged": "failed"}


def test_the_docker_socket_mounted(student, mine_node):
    run_app(student, binds=["/var/run/docker.sock:/var/run/docker.sock"], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "no-sensitive-mounts": "failed"}
    assert "docker.sock" in run.check(EXERCISE, "no-sensitive-mounts")["message"]


def test_run_as_root(student, mine_node):
    run_app(student, user="root", **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "non-root": "failed"}


def test_a_second_process(student, mine_node):
    run_app(student, command=["sh", "-c", "node index.js & exec sleep 600"], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "single-process": "failed"}
    message = run.check(EXERCISE, "single-process")["message"]
    assert "node index.js" in message and "sleep 600" in message


def test_the_best_of_several_containers_is_graded_and_named(student, mine_node):
    good = run_app(student, **PRODUCTION)
    run_app(student, privileged=True)  # newer, but worse

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "cpu-limited")["evidence"]["container"].startswith(good.name)


def test_no_container_running(student, mine_node):
    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {check_id: "failed" for check_id in CHECKS}
    assert "no running mine/node container" in run.check(EXERCISE, "non-root")["message"]


@pytest.mark.parametrize("bind", ["/var:/host-var", "/run:/host-run", "/etc:/etc-host:ro",
                                  "/:/host", "/var/run/docker.sock:/docker.sock"])
def test_sensitive_mounts_and_the_folders_holding_them(student, mine_node, bind):
    run_app(student, binds=[bind], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "no-sensitive-mounts": "failed"}


def test_a_harmless_file_below_etc_is_not_sensitive(student, mine_node):
    run_app(student, binds=["/etc/localtime:/etc/localtime:ro"], **PRODUCTION)

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)
