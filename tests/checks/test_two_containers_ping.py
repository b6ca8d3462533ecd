"""two-containers-ping on a real engine: both directions pinged from the containers' own
network namespaces, by probes."""

import pytest

from support.cli import all_passed, grade

EXERCISE = "two-containers-ping"
CHECKS = ("two-containers", "interactive", "b-reaches-a", "a-reaches-b")


def test_course_solution_gets_full_score(student):
    a = student.container("busybox")  # docker run -it busybox, twice, on the default bridge
    b = student.container("busybox")

    run = grade(EXERCISE)

    assert run.exit_code == 0
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    evidence = run.check(EXERCISE, "two-containers")["evidence"]
    assert evidence["a"].startswith(a.name) and evidence["b"].startswith(b.name)


def test_containers_without_it_are_not_interactive(student):
    student.container("busybox", interactive=False, tty=False, command=["sleep", "600"])
    student.container("busybox", interactive=False, tty=False, command=["sleep", "600"])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "interactive": "failed"}
    assert "-i -t" in run.check(EXERCISE, "interactive")["message"]


def test_a_network_with_inter_container_traffic_disabled(student):
    student.network("quiet", options={"com.docker.network.bridge.enable_icc": "false"})
    student.container("busybox", network="quiet")
    student.container("busybox", network="quiet")

    run = grade(EXERCISE)

    # The probes still reach their gateway: a silence here is a real failure, not a doubt.
    assert run.statuses(EXERCISE) == {
        **all_passed("two-containers", "interactive"),
        "b-reaches-a": "failed",
        "a-reaches-b": "failed",
    }


def test_a_pair_on_an_internal_network(student):
    """``--internal``: no default route (Docker 28 gives no endpoint gateway), yet the pings
    between the two are proven as anywhere else."""
    student.network("closed", internal=True)
    student.container("busybox", network="closed")
    student.container("busybox", network="closed")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "b-reaches-a")["evidence"]["control"]


def test_a_single_container(student):
    student.container("busybox")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        "two-containers": "failed",
        "interactive": "skipped",
        "b-reaches-a": "skipped",
        "a-reaches-b": "skipped",
    }


def test_containers_on_two_networks_share_none(student):
    student.network("left")
    student.network("right")
    student.container("busybox", network="left")
    student.container("busybox", network="right")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        "two-containers": "failed",
        "interactive": "skipped",
        "b-reaches-a": "skipped",
        "a-reaches-b": "skipped",
    }


def test_a_probe_that_reaches_nothing_is_an_error_not_a_failure(student):
    # No gateway address and no traffic between containers: the probe reaches neither A nor
    # its own gateway, so it cannot tell a failure from a probe that does not work.
    student.network(
        "dark",
        options={
            "com.docker.network.bridge.inhibit_ipv4": "true",
            "com.docker.network.bridge.enable_icc": "false",
        },
    )
    student.container("busybox", network="dark")
    student.container("busybox", network="dark")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE)["b-reaches-a"] == "error"
    assert "cannot tell" in run.check(EXERCISE, "b-reaches-a")["message"]


@pytest.mark.parametrize("image", ["ping-always-succeeds", "ping-always-fails", "no-ping"])
def test_the_students_own_ping_changes_nothing(student, lying_images, image):
    student.container(lying_images[image])
    student.container(lying_images[image])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_ping_that_always_succeeds_does_not_hide_disabled_traffic(student, lying_images):
    student.network("quiet", options={"com.docker.network.bridge.enable_icc": "false"})
    student.container(lying_images["ping-always-succeeds"], network="quiet")
    student.container(lying_images["ping-always-succeeds"], network="quiet")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE)["b-reaches-a"] == "failed"


def test_discovery_prefers_the_interactive_pair_to_a_newer_app_container(student, node_images):
    a = student.container("busybox")
    b = student.container("busybox")
    student.container(node_images["good"], interactive=False, tty=False)  # another exercise's

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    evidence = run.check(EXERCISE, "two-containers")["evidence"]
    assert evidence["a"].startswith(a.name) and evidence["b"].startswith(b.name)


def test_named_containers_are_checked_not_replaced(student):
    student.container("busybox", name="box-a")
    student.container("busybox", name="box-b")

    misspelt = grade(EXERCISE, settings=("a=box-x",))
    same = grade(EXERCISE, settings=("a=box-a", "b=box-a"))
    named = grade(EXERCISE, settings=("a=box-b", "b=box-a"))

    skipped = {"interactive": "skipped", "b-reaches-a": "skipped", "a-reaches-b": "skipped"}
    assert misspelt.statuses(EXERCISE) == {"two-containers": "failed", **skipped}
    assert "no container named box-x" in misspelt.check(EXERCISE, "two-containers")["message"]
    assert same.statuses(EXERCISE) == {"two-containers": "failed", **skipped}
    assert named.statuses(EXERCISE) == all_passed(*CHECKS)
    assert named.check(EXERCISE, "two-containers")["evidence"]["a"].startswith("box-b")


def test_a_crash_looping_bystander_is_never_a_or_b_and_verdicts_do_not_change(student):
    alpha = student.container("busybox", name="alpha")
    beta = student.container("busybox", name="beta")
    student.wait_running(alpha), student.wait_running(beta)
    crashy = student.container(
        "busybox",
        name="crashy",
        restart_policy={"Name": "always"},
        command=["sh", "-c", "sleep 0.4; exit 1"],
    )
    student.wait_restarted(crashy)

    runs = [grade(EXERCISE) for _ in range(4)]

    for run in runs:
        assert run.statuses(EXERCISE) == all_passed(*CHECKS)
        evidence = run.check(EXERCISE, "two-containers")["evidence"]
        assert evidence["a"].startswith("alpha") and evidence["b"].startswith("beta")
    named = grade(EXERCISE, settings=("b=crashy",))
    assert named.statuses(EXERCISE)["two-containers"] == "failed"
    assert "restarts in a loop" in named.check(EXERCISE, "two-containers")["message"]


def test_a_container_on_the_host_network_is_not_a_or_b(student):
    student.container("busybox", name="alpha")
    student.container("busybox", name="beta")
    student.container("busybox", name="hosted", network="host")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert "hosted" not in str(run.check(EXERCISE, "two-containers")["evidence"])


def test_containers_created_with_it_then_started_are_interactive(student):
    # docker create -it busybox, twice, then docker start: attached at creation, detached now
    for name in ("alpha", "beta"):
        student.container("busybox", name=name, detach=False, start=False).start()

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)
