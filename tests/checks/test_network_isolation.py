"""network-isolation on a real engine: isolation proven by probes, never by the student's ping."""

import pytest

from support.cli import all_passed, grade

EXERCISE = "network-isolation"
CHECKS = (
    "two-bridge-networks",
    "separate-networks",
    "host-reaches-a",
    "host-reaches-b",
    "b-cannot-reach-a",
)


# Without a separated pair there is no A and B to ping: the behavioural checks are skipped.
NOT_SEPARATED = {
    "separate-networks": "failed",
    "host-reaches-a": "skipped",
    "host-reaches-b": "skipped",
    "b-cannot-reach-a": "skipped",
}


def two_networks(student):
    student.network("net-a")
    student.network("net-b")


def test_course_solution_gets_full_score_and_names_a_and_b(student):
    two_networks(student)
    a = student.container("busybox", name="box-a", network="net-a")
    b = student.container("busybox", name="box-b", network="net-b")

    run = grade(EXERCISE)

    assert run.exit_code == 0
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    evidence = run.check(EXERCISE, "separate-networks")["evidence"]
    assert evidence["a"].startswith("box-a") and evidence["b"].startswith("box-b")
    isolation = run.check(EXERCISE, "b-cannot-reach-a")["evidence"]
    a.reload(), b.reload()
    assert isolation["a_addresses"] == [
        a.attrs["NetworkSettings"]["Networks"]["net-a"]["IPAddress"]
    ]
    assert isolation["control"] == b.attrs["NetworkSettings"]["Networks"]["net-b"]["Gateway"]


def test_internal_networks_are_graded_like_any_other(student):
    """``docker network create --internal``: Docker 28 gives the endpoints no gateway (no
    default route); the network's own gateway, which the bridge holds, is B's control."""
    for name in ("net-a", "net-b"):
        student.network(name, internal=True)
    student.container("busybox", name="box-a", network="net-a")
    student.container("busybox", name="box-b", network="net-b")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    network = student.client.networks.get("net-b").attrs
    assert (
        run.check(EXERCISE, "b-cannot-reach-a")["evidence"]["control"]
        == (network["IPAM"]["Config"][0]["Gateway"])
    )


def test_both_containers_on_one_network_can_talk(student):
    two_networks(student)
    student.container("busybox", network="net-a")
    student.container("busybox", network="net-a")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**NOT_SEPARATED, "two-bridge-networks": "passed"}
    assert "net-a" in run.check(EXERCISE, "separate-networks")["message"]


def test_b_connected_to_both_networks_reaches_a(student):
    two_networks(student)
    student.container("busybox", network="net-a")
    b = student.container("busybox", network="net-b")
    student.connect("net-a", b)  # docker network connect net-a B

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**NOT_SEPARATED, "two-bridge-networks": "passed"}


def test_one_user_network_and_the_default_bridge(student):
    student.network("net-a")
    student.container("busybox", network="net-a")
    student.container("busybox")  # on the default bridge: not a user-defined network

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**NOT_SEPARATED, "two-bridge-networks": "failed"}
    assert "separate-networks" in run.check(EXERCISE, "host-reaches-a")["message"]


def test_a_single_container(student):
    two_networks(student)
    student.container("busybox", network="net-a")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**NOT_SEPARATED, "two-bridge-networks": "passed"}


def test_a_silence_without_proof_that_the_probe_works_is_an_error_not_a_pass(student):
    student.network("net-a")
    # A bridge with no address on the host: B's own gateway cannot answer.
    student.network("net-b", options={"com.docker.network.bridge.inhibit_ipv4": "true"})
    student.container("busybox", network="net-a")
    student.container("busybox", network="net-b")

    run = grade(EXERCISE)

    isolation = run.check(EXERCISE, "b-cannot-reach-a")
    assert isolation["status"] == "error" and isolation["score"] == 0
    assert "proves nothing" in isolation["message"]


@pytest.mark.parametrize("image", ["ping-always-succeeds", "ping-always-fails", "no-ping"])
def test_a_lying_or_missing_ping_in_the_students_containers_changes_nothing(
    student, lying_images, image
):
    two_networks(student)
    student.container(lying_images[image], network="net-a")
    student.container(lying_images[image], network="net-b")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_shared_network_without_inter_container_traffic_earns_no_isolation_points(student):
    quiet = {"com.docker.network.bridge.enable_icc": "false"}
    student.network("net-a", options=quiet)
    student.network("net-b")
    student.container("busybox", network="net-a")
    student.container("busybox", network="net-a")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**NOT_SEPARATED, "two-bridge-networks": "passed"}


def test_a_misspelt_or_stopped_named_container_is_said_not_replaced(student):
    two_networks(student)
    student.container("busybox", name="box-a", network="net-a")
    student.container("busybox", name="box-b", network="net-b")
    student.container("busybox", name="stopped", network="net-b", interactive=False, tty=False)

    misspelt = grade(EXERCISE, settings=("a=box-x", "b=box-b"))
    stopped = grade(EXERCISE, settings=("a=box-a", "b=stopped"))
    same = grade(EXERCISE, settings=("a=box-a", "b=box-a"))

    for run in (misspelt, stopped, same):
        assert run.statuses(EXERCISE) == {**NOT_SEPARATED, "two-bridge-networks": "passed"}
    assert "no container named box-x" in misspelt.check(EXERCISE, "separate-networks")["message"]
    assert "status exited" in stopped.check(EXERCISE, "separate-networks")["message"]
    assert "same container" in same.check(EXERCISE, "separate-networks")["message"]


def test_named_containers_override_discovery(student):
    two_networks(student)
    student.container("busybox", name="first", network="net-a")
    student.container("busybox", name="second", network="net-b")
    student.container("busybox", name="newest", network="net-a")  # discovery would pick it

    run = grade(EXERCISE, settings=("a=second", "b=first"))

    evidence = run.check(EXERCISE, "separate-networks")["evidence"]
    assert evidence["a"].startswith("second") and evidence["b"].startswith("first")
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_without_the_probe_image_behavioural_checks_are_errors_that_say_why(student):
    two_networks(student)
    student.container("busybox", network="net-a")
    student.container("busybox", network="net-b")

    run = grade(EXERCISE, extra=("--probe-image", "docker-grade-test/absent"))

    assert run.statuses(EXERCISE) == {
        **all_passed("two-bridge-networks", "separate-networks"),
        "host-reaches-a": "error",
        "host-reaches-b": "error",
        "b-cannot-reach-a": "error",
    }
    assert (
        "docker pull docker-grade-test/absent" in run.check(EXERCISE, "b-cannot-reach-a")["message"]
    )


def test_an_a_that_ignores_pings_proves_no_isolation(student):
    two_networks(student)
    student.container("busybox", network="net-a", sysctls={"net.ipv4.icmp_echo_ignore_all": "1"})
    student.container("busybox", network="net-b")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        **all_passed("two-bridge-networks", "separate-networks", "host-reaches-b"),
        "host-reaches-a": "failed",
        "b-cannot-reach-a": "error",
    }
    assert "proves nothing" in run.check(EXERCISE, "b-cannot-reach-a")["message"]
