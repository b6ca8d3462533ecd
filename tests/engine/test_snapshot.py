"""The snapshot reads what the list call carries and inspects only what a grading reads.

Two things are held on a real engine: a container built from the list call says what its
inspect says (field by field, over states a student makes), and a grading on a host crowded
with containers no exercise is about inspects none of the older ones beyond the first few
(counted at the HTTP level, so a regression fails here).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timezone
from pathlib import Path

import docker
import pytest
from test_whole_course import all_solutions

from grader.engine.client import connect
from grader.engine.container import Container
from grader.engine.snapshot import INSPECTED_AT_ONCE, Snapshot
from grader.grading import grade
from grader.spec.catalog import Catalog
from support.crowd import Crowd

_FIELDS = ("id", "name", "image_id", "status", "labels", "networks", "mounts", "image_reference")


def _student_states(student, tmp_path: Path) -> None:
    """Containers in the states and with the options a student's host holds."""
    student.network("mybridge", subnet="192.168.0.0/24")
    student.network("othernet")
    student.container("busybox", name="running-itd", network="mybridge")
    student.connect("othernet", student.container("busybox", name="two-networks"))
    exited = student.container("busybox", name="exited", command=["true"])
    exited.wait(timeout=30)
    student.container("busybox", name="created-only", start=False)
    paused = student.container("busybox", name="paused")
    paused.pause()
    student.container("busybox", name="on-host", network="host")
    student.container("busybox", name="no-network", network="none")
    student.container(
        "nginx:alpine",
        name="mounts",
        binds=[f"{tmp_path}:/usr/share/nginx/html:ro", "dg-snapshot-volume:/data"],
        tmpfs={"/scratch": ""},
        port_bindings={80: ("127.0.0.1", 18093)},
        restart_policy={"Name": "unless-stopped"},
    )
    student.volume("dg-snapshot-volume")
    student.container("busybox", name="as-user", user="1000:1000", links={"two-networks": "db"})
    image_id = student.client.images.get("busybox").id
    student.container(image_id[len("sha256:") : len("sha256:") + 12], name="by-id")
    # a tag moved after the container was made: the list shows the image id, not the name
    student.tag("busybox", "dg-snapshot/moved")
    student.container("dg-snapshot/moved", name="moved-tag")
    student.tag("nginx:alpine", "dg-snapshot/moved")


def test_a_listed_container_says_what_its_inspect_says(docker_client, student, tmp_path):
    _student_states(student, tmp_path)
    engine = connect()
    snapshot = Snapshot.take(engine)
    listed = {c.name: c for c in snapshot.containers}
    assert {"exited", "paused", "moved-tag", "by-id", "as-user"} <= set(listed)
    for name, container in listed.items():
        inspected = Container.from_inspect(engine.api.inspect_container(container.id))
        for field in _FIELDS:
            assert getattr(container, field) == getattr(inspected, field), (name, field)
        assert container.created == inspected.created.replace(microsecond=0), name
        assert container.created.tzinfo == timezone.utc
        assert container.details == inspected.details, name
        assert container.running == inspected.running, name
    assert listed["moved-tag"].image_reference == "dg-snapshot/moved"
    assert listed["as-user"].user == "1000:1000"


def test_newest_first_to_within_a_second(docker_client, student):
    made = [student.container("busybox", command=["true"], start=False).id for _ in range(6)]
    ordered = [c.id for c in Snapshot.take(connect()).containers if c.id in made]
    assert ordered == made[::-1]


def test_a_container_removed_after_the_list_call_is_not_steady_and_says_so(docker_client, student):
    container = student.container("busybox", name="short-lived")
    snapshot = Snapshot.take(connect())
    listed = snapshot.container("short-lived")
    # the snapshot inspected it at once (it is among the newest); a fresh one has not
    fresh = Container.from_summary(
        {"Id": listed.id, "Names": ["/short-lived"], "State": "running", "Status": "Up 2 seconds"},
        lambda: docker_client.api.inspect_container(listed.id),
    )
    container.remove(force=True)
    assert fresh.restarting_in_a_loop(snapshot.taken_at)
    with pytest.raises(docker.errors.NotFound):  # the inspect is made on first use: too late
        assert fresh.user
    assert listed.user == ""  # the snapshot's own was inspected before


def test_a_crowded_host_costs_no_inspect_of_the_containers_no_exercise_is_about(
    docker_client, student, fixture_images, node_images, tmp_path, proof_file
):
    crowd = Crowd(docker_client, running=10, exited=40, networks=2)
    try:
        crowd.build()
        all_solutions(student, node_images, tmp_path)
        engine = connect()
        calls: Counter[tuple[str, str]] = Counter()
        engine.api.hooks["response"].append(lambda r, *a, **k: calls.update([_call(r.request)]))
        report = grade(
            engine=engine,
            assignments=Catalog.load().assign(list(_COURSE), []),
            lang="en",
            folder=None,
        )
        assert report.score == report.max_score, report
        exited = set(crowd.container_ids[10:])
        inspected = Counter(cid for (verb, cid) in calls if verb == "inspect")
        assert sum(n for cid, n in inspected.items() if cid in exited) <= INSPECTED_AT_ONCE
        assert all(inspected[cid] <= 1 for cid in crowd.container_ids)
        assert calls["list", "containers"] <= 3  # the snapshot's, and the probes' cleanup
    finally:
        crowd.remove()


_COURSE = (
    "two-containers-ping",
    "custom-bridge",
    "network-isolation",
    "nginx-ro-volume",
    "volume-escalation",
)


def _call(request) -> tuple[str, str]:
    """("inspect", container id) or ("list", "containers"), else (method, path)."""
    path = request.path_url.split("?")[0]
    parts = path.strip("/").split("/")
    if request.method == "GET" and parts[-1] == "json" and parts[-3:-2] == ["containers"]:
        return "inspect", parts[-2]
    if request.method == "GET" and parts[-2:] == ["containers", "json"]:
        return "list", "containers"
    return request.method, path


def test_another_engine_than_docker_is_inspected_whole_and_gives_the_same_picture(
    docker_client, student, tmp_path
):
    _student_states(student, tmp_path)
    engine = connect()
    listed = Snapshot.take(engine).containers
    engine.host = dataclasses.replace(engine.host, product="podman")
    inspected = Snapshot.take(engine).containers
    assert [c.id for c in inspected] == [c.id for c in listed]
    for by_list, by_inspect in zip(listed, inspected):
        assert by_list.details == by_inspect.details, by_list.name
        assert by_list.image_reference == by_inspect.image_reference, by_list.name
