"""A lying probe image cannot pass or fail a check: each answer is proven both ways."""

from __future__ import annotations

import pytest

from support.cli import grade

BEHAVIOURAL = {
    "two-containers-ping": ("b-reaches-a", "a-reaches-b"),
    "network-isolation": ("host-reaches-a", "host-reaches-b", "b-cannot-reach-a"),
}


def _course_solutions(student):
    """Two containers on one network; A and B on two separate networks."""
    student.network("mynet")
    for _ in range(2):
        student.wait_running(student.container("busybox", network="mynet"))
    student.network("neta")
    student.network("netb")
    student.wait_running(student.container("busybox", network="neta"))
    student.wait_running(student.container("busybox", network="netb"))


@pytest.mark.parametrize("liar", ["ping-always-succeeds", "ping-always-fails"])
def test_a_probe_image_whose_ping_lies_decides_nothing(student, lying_images, liar):
    _course_solutions(student)

    run = grade(*BEHAVIOURAL, extra=("--probe-image", lying_images[liar]))

    for exercise, checks in BEHAVIOURAL.items():
        statuses = run.statuses(exercise)
        assert {statuses[c] for c in checks} == {"error"}, (exercise, statuses)
    if liar == "ping-always-succeeds":
        message = run.check("network-isolation", "host-reaches-a")["message"]
        assert "answers pings it cannot receive" in message


def test_the_genuine_probe_image_passes_the_same_state(student):
    _course_solutions(student)

    run = grade(*BEHAVIOURAL)

    for exercise, checks in BEHAVIOURAL.items():
        assert {run.statuses(exercise)[c] for c in checks} == {"passed"}
    evidence = run.check("two-containers-ping", "b-reaches-a")["evidence"]
    import ipaddress

    silent, target = evidence["silent_control"], evidence["target_ip"]
    assert silent not in (target, evidence["control"])
    # On the target's own network: nothing leaves the machine.
    assert ipaddress.ip_address(silent) in ipaddress.ip_network(f"{target}/16", strict=False)
