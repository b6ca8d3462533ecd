"""Probe containers on a real engine: results, concurrency, failures, and cleanup."""

import contextlib
import time

import pytest
from docker.errors import APIError, NotFound

from grader.probes import (
    HttpAnswer,
    Probe,
    ProbeRunner,
    ProbeUnavailable,
    http_get,
    ping,
    write_attempt,
)
from grader.probes.runner import STARTED_LABEL

PROBE_LABEL = "docker-grade.probe"


@pytest.fixture(params=["resident", "containers"])
def runner(request, engine):
    """ProbeRunner made either way: probes entering namespaces from the resident container, or
    each in containers of its own (the fallback). Both must give the same answers."""
    resident = request.param == "resident"
    return lambda **options: ProbeRunner(engine, resident=resident, **options)


def ip_of(container, network):
    container.reload()
    return container.attrs["NetworkSettings"]["Networks"][network]


@pytest.fixture
def isolated(student):
    """B's namespace, A's address (on another bridge: silent from B) and B's gateway."""
    student.network("left")
    student.network("right")
    a = student.container("busybox", network="left")
    b = student.container("busybox", network="right")
    return f"container:{b.id}", ip_of(a, "left")["IPAddress"], ip_of(b, "right")["Gateway"]


def test_concurrent_pings_in_one_namespace_do_not_read_each_others_replies(isolated, runner):
    # busybox ping's ICMP id is its pid: 1 in every container. Without host pids, the ping
    # to the silent address read the gateway's replies and "answered".
    netns, target, gateway = isolated
    with runner() as probes:
        futures = [probes.submit(ping(ip, netns=netns)) for ip in (gateway, target, gateway)]
        silent, answered = futures[1].result(), futures[0].result()
    assert answered.succeeded and answered.exit_code == 0
    assert not silent.succeeded and "0 packets received" in silent.stdout


def test_equal_probes_run_once(student, runner):
    with runner() as probes:
        first = probes.submit(ping("127.0.0.1", netns="host"))
        assert probes.submit(ping("127.0.0.1", netns="host")) is first
        assert first.result().succeeded


def test_http_probe_reads_status_and_body(student, runner, tmp_path):
    (tmp_path / "index.html").write_text("hello probe\n")
    web = student.container(
        "busybox",
        binds=[f"{tmp_path}:/www:ro"],
        command=["httpd", "-f", "-p", "8000", "-h", "/www"],
    )
    student.wait_running(web)
    with runner() as probes:
        ok = HttpAnswer.read(
            probes.run(http_get("http://127.0.0.1:8000/", netns=f"container:{web.id}"))
        )
        missing = HttpAnswer.read(
            probes.run(http_get("http://127.0.0.1:8000/nope", netns=f"container:{web.id}"))
        )
        closed = HttpAnswer.read(
            probes.run(http_get("http://127.0.0.1:9/", netns=f"container:{web.id}"))
        )
    assert (ok.status, ok.body) == (200, "hello probe\n")
    assert missing.status == 404 and closed.status is None


def test_write_attempt_is_refused_on_a_read_only_mount_and_undone_on_a_writable_one(
    student, runner, tmp_path
):
    ro = student.container("busybox", binds=[f"{tmp_path}:/data:ro"])
    rw = student.container("busybox", binds=[f"{tmp_path}:/data"])
    with runner() as probes:
        refused = probes.run(write_attempt(ro.id, "/data")).stdout
        wrote = probes.run(write_attempt(rw.id, "/data")).stdout
    assert "REFUSED" in refused and "Read-only file system" in refused
    assert "WROTE" in wrote
    assert list(tmp_path.iterdir()) == []  # the write that went through was undone


def test_a_probe_into_a_vanished_container_reports_a_problem(student, runner):
    gone = student.container("busybox")
    gone.remove(force=True)
    with runner() as probes:
        result = probes.run(ping("127.0.0.1", netns=f"container:{gone.id}"))
    assert result.problem and not result.succeeded


def test_a_missing_probe_image_is_said_plainly(student, runner):
    with runner(image="docker-grade-test/no-such-image") as probes:
        with pytest.raises(ProbeUnavailable, match="docker pull docker-grade-test/no-such-image"):
            probes.run(ping("127.0.0.1", netns="host"))


def test_close_leaves_no_probe_container(student, runner, docker_client):
    with runner() as probes:
        for n in range(6):
            probes.submit(ping(f"127.0.0.{n + 1}", netns="host"))
    assert docker_client.api.containers(all=True, filters={"label": PROBE_LABEL}) == []


def test_probes_a_killed_grader_left_behind_are_removed_by_the_next_run(
    student, engine, docker_client
):
    now = int(time.time())
    stale = docker_client.api.create_container(
        "busybox", labels={PROBE_LABEL: "killed-run", STARTED_LABEL: str(now - 3600)}
    )
    live = docker_client.api.create_container(  # another grader's, at work right now
        "busybox", labels={PROBE_LABEL: "live-run", STARTED_LABEL: str(now)}
    )
    try:
        with ProbeRunner(engine, resident=False) as probes:
            assert probes.remove_stale() == 1
        left = {c["Id"] for c in docker_client.api.containers(all=True)}
        assert stale["Id"] not in left and live["Id"] in left
    finally:
        for container in (stale, live):
            with contextlib.suppress(NotFound):
                docker_client.api.remove_container(container["Id"], force=True)


def test_the_write_probe_leaves_nothing_in_a_students_tmp_mount(student, runner, tmp_path):
    site, scratch = tmp_path / "site", tmp_path / "tmp"
    site.mkdir(), scratch.mkdir()
    nginx = student.container("busybox", binds=[f"{site}:/data:ro", f"{scratch}:/tmp"])
    with runner() as probes:
        assert "REFUSED" in probes.run(write_attempt(nginx.id, "/data")).stdout
    assert list(scratch.iterdir()) == [] and list(site.iterdir()) == []


def test_planned_probes_sharing_a_namespace_run_side_by_side_with_the_same_results(
    isolated, engine
):
    netns, target, gateway = isolated
    planned = [
        ping(gateway, netns=netns),
        ping(target, netns=netns),
        http_get("http://127.0.0.1:9/", netns=netns),
    ]
    starts = []
    with ProbeRunner(engine, resident=False) as probes:
        original = probes._create
        probes._create = lambda probe, image: starts.append(probe) or original(probe, image)
        probes.submit_all(planned)
        answered, silent, refused = (probes.run(probe) for probe in planned)
    assert len(starts) == 1  # the wget takes the pings' host pids: one container for the three
    assert answered.succeeded and "0 packets received" in silent.stdout and not silent.succeeded
    assert HttpAnswer.read(refused).status is None and refused.exit_code not in (0, None)


def test_probes_sharing_a_container_keep_the_results_of_those_that_ended_in_time(engine):
    quick = Probe(command=("echo", "done"), timeout_s=2)
    stuck = Probe(command=("sleep", "60"), timeout_s=2)
    with ProbeRunner(engine, resident=False) as probes:
        probes.submit_all([quick, stuck])
        ended, late = probes.run(quick), probes.run(stuck)
    assert ended.succeeded and ended.stdout.strip() == "done"
    assert late.exit_code is None and "no answer within 2 s" in late.problem


def test_probes_the_engine_will_not_put_together_run_each_alone(isolated, engine):
    netns, target, gateway = isolated
    planned = [ping(gateway, netns=netns), ping(target, netns=netns)]
    alone = []
    with ProbeRunner(engine, resident=False) as probes:
        original = probes._create

        def refuse_shared(probe, image):
            if probe not in planned:  # the shared container: refused as an engine would
                raise APIError("refused", explanation="no such namespace")
            alone.append(probe)
            return original(probe, image)

        probes._create = refuse_shared
        probes.submit_all(planned)
        answered, silent = (probes.run(probe) for probe in planned)
    assert alone == planned
    assert answered.succeeded and not silent.succeeded and silent.problem is None


def _empty_archive_first(probes, times: int) -> None:
    """The engine answers ``times`` empty archives before the real one, as podman 5 did."""
    original, calls = probes.api.get_archive, []

    def get_archive(container_id, path):
        calls.append(path)
        if len(calls) <= times:
            return iter([b""]), {}
        return original(container_id, path)

    probes.api.get_archive = get_archive


def test_an_empty_archive_of_the_results_is_read_again(engine):
    quick, other = Probe(command=("echo", "one"), timeout_s=5), Probe(command=("echo", "two"))
    with ProbeRunner(engine, resident=False) as probes:
        _empty_archive_first(probes, times=2)
        probes.submit_all([quick, other])
        first, second = probes.run(quick), probes.run(other)
    assert first.stdout.strip() == "one" and second.stdout.strip() == "two"


def test_results_never_readable_are_said_in_words(engine):
    quick, other = Probe(command=("echo", "one"), timeout_s=5), Probe(command=("echo", "two"))
    with ProbeRunner(engine, resident=False) as probes:
        _empty_archive_first(probes, times=99)
        probes.submit_all([quick, other])
        result = probes.run(quick)
    assert result.exit_code is None
    assert "no readable copy of the probe's results" in result.problem
    assert "Error(" not in result.problem
