"""best-practices on a real engine: limits and privileges from inspect, processes from top."""

import pytest

from support.cli import all_passed, grade
from support.student import LABELS

EXERCISE = "best-practices"
CHECKS = (
    "memory-limited",
    "cpu-limited",
    "pids-limited",
    "not-privileged",
    "non-root",
    "no-sensitive-mounts",
    "single-process",
)
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

    assert run.statuses(EXERCISE) == {
        **all_passed(*CHECKS),
        "memory-limited": "failed",
        "cpu-limited": "failed",
        "pids-limited": "failed",
    }


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


@pytest.mark.parametrize(
    "bind",
    [
        "/var:/host-var",
        "/run:/host-run",
        "/etc:/etc-host:ro",
        "/:/host",
        "/var/run/docker.sock:/docker.sock",
    ],
)
def test_sensitive_mounts_and_the_folders_holding_them(student, mine_node, bind):
    run_app(student, binds=[bind], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "no-sensitive-mounts": "failed"}


@pytest.mark.parametrize(
    "bind", ["/etc/localtime:/etc/localtime:ro", "/etc/timezone:/etc/timezone:ro"]
)
def test_the_clock_and_zone_read_only_are_harmless(student, mine_node, bind):
    run_app(student, binds=[bind], **PRODUCTION)

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


@pytest.mark.parametrize(
    "bind",
    [
        "/proc/cpuinfo:/cpuinfo:ro",
        "/etc/shadow:/shadow:ro",
        "/var/log/apt:/logs",
        "/etc/localtime:/etc/localtime",
    ],
)
def test_paths_under_a_sensitive_one(student, mine_node, bind):
    run_app(student, binds=[bind], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "no-sensitive-mounts": "failed"}


def test_a_symlink_that_leads_to_a_sensitive_path(student, mine_node, tmp_path):
    (tmp_path / "innocent").symlink_to("/etc")
    (tmp_path / "deeper").mkdir()
    (tmp_path / "deeper" / "keys").symlink_to("../innocent/ssh")
    run_app(
        student,
        binds=[f"{tmp_path}/innocent:/config:ro", f"{tmp_path}/deeper/keys:/k"],
        **PRODUCTION,
    )

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "no-sensitive-mounts": "failed"}
    message = run.check(EXERCISE, "no-sensitive-mounts")["message"]
    assert f"{tmp_path}/innocent" in message and f"{tmp_path}/deeper/keys" in message


def test_a_local_volume_with_bind_options_to_a_sensitive_path(student, mine_node, docker_client):
    volume = docker_client.volumes.create(
        "etc-in-disguise",
        driver="local",
        labels=LABELS,
        driver_opts={"type": "none", "o": "bind", "device": "/etc"},
    )
    student._volumes.append(volume.name)
    run_app(student, binds=["etc-in-disguise:/config:ro"], **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "no-sensitive-mounts": "failed"}
    assert "/etc" in run.check(EXERCISE, "no-sensitive-mounts")["message"]


def test_an_ordinary_folder_and_a_named_volume_pass(student, mine_node, tmp_path):
    student.volume("appdata")
    run_app(student, binds=[f"{tmp_path}:/data", "appdata:/cache"], **PRODUCTION)

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


def test_init_is_not_counted_as_a_process(student, mine_node):
    run_app(student, init=True, **PRODUCTION)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert "docker-init" not in run.check(EXERCISE, "single-process")["message"]


def test_init_and_a_second_process(student, mine_node):
    run_app(
        student, init=True, command=["sh", "-c", "node index.js & exec sleep 600"], **PRODUCTION
    )

    assert grade(EXERCISE).statuses(EXERCISE) == {**all_passed(*CHECKS), "single-process": "failed"}


def test_cpuset_is_a_cpu_limit(student, mine_node):
    run_app(student, cpuset_cpus="0", mem_limit="256m", pids_limit=100)

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


@pytest.mark.parametrize(
    "cap_add, status",
    [
        (["NET_BIND_SERVICE"], "passed"),
        (["CAP_CHOWN"], "passed"),
        (["ALL"], "failed"),
        (["SYS_ADMIN"], "failed"),
    ],
)
def test_capabilities_beyond_the_default_set(student, mine_node, cap_add, status):
    run_app(student, cap_drop=["ALL"], cap_add=cap_add, **PRODUCTION)

    assert grade(EXERCISE).statuses(EXERCISE)["not-privileged"] == status
