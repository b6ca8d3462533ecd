"""`check` starts its probe container while pytest is imported, only for exercises whose checks
plan probes, and removes it whether a probe used it or not."""

import time

from support.cli import all_passed, grade

PROBE_LABEL = "docker-grade.probe"


def _probe_containers_made(docker_client, action) -> list[str]:
    """The ids of the probe containers the engine created while ``action`` ran."""
    since = time.time() - 1
    action()
    until = time.time() + 1
    events = docker_client.api.events(
        since=since,
        until=until,
        decode=True,
        filters={"type": "container", "event": "create", "label": PROBE_LABEL},
    )
    return [event["id"] for event in events]


def test_an_exercise_without_probe_plans_makes_no_probe_container(student, docker_client):
    student.network("mynet")
    student.container("busybox", network="mynet")

    made = _probe_containers_made(docker_client, lambda: grade("custom-bridge"))

    assert made == []


def test_the_early_probe_container_is_removed_when_no_probe_came(student, docker_client):
    # two-containers-ping plans pings, but with no container there is no pair to ping
    runs = []
    made = _probe_containers_made(docker_client, lambda: runs.append(grade("two-containers-ping")))

    assert runs[0].statuses("two-containers-ping")["two-containers"] == "failed"
    assert len(made) == 1  # the resident, started early
    assert docker_client.api.containers(all=True, filters={"label": PROBE_LABEL}) == []


def test_the_early_probe_container_runs_the_probes(student, docker_client):
    student.container("busybox")
    student.container("busybox")
    runs = []

    made = _probe_containers_made(docker_client, lambda: runs.append(grade("two-containers-ping")))

    assert runs[0].statuses("two-containers-ping") == all_passed(
        "two-containers", "interactive", "b-reaches-a", "a-reaches-b"
    )
    assert len(made) == 1  # every ping entered the pair's namespaces from it
    assert docker_client.api.containers(all=True, filters={"label": PROBE_LABEL}) == []
