"""Faults during a grading, each on an engine of its own (a dockerd in its own network
namespace): the check concerned ends in `error` with the reason, the others go on, nothing
hangs, no traceback (issue 11)."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time

import pytest

from grader.engine.client import connect
from grader.grading import grade
from grader.probes.runner import ProbeRunner
from grader.spec.catalog import Catalog
from support.cli import EXECUTABLE
from support.engines import ExtraEngine
from support.student import StudentHost, remove_leftovers


@pytest.fixture(scope="module")
def fault_engine(docker_client, fixture_images):
    engine = ExtraEngine("dg-faults").start()
    try:
        engine.load_images(docker_client)
        yield engine
    finally:
        engine.stop()


@pytest.fixture
def host(fault_engine):
    host = StudentHost(fault_engine.client())
    yield host
    host.remove_all()
    remove_leftovers(host.client)
    host.client.close()


def _grade_with_a_fault(engine: ExtraEngine, exercise: str, fault, monkeypatch) -> dict:
    """Grades ``exercise`` in-process; ``fault()`` runs once, just before the first probes
    start: after the snapshot, before any probe looks."""
    fired = threading.Lock()

    class FaultyProbes(ProbeRunner):
        def submit_all(self, probes):
            if fired.acquire(blocking=False):
                fault()
            return super().submit_all(probes)

    monkeypatch.setattr("grader.grading.ProbeRunner", FaultyProbes)
    connected = connect(engine.docker_host)
    try:
        report = grade(
            engine=connected, assignments=Catalog.load().assign([exercise], []), lang="en"
        )
    finally:
        connected.close()
    checks = report.exercises[0].checks
    return {c.id: (c.status.value, c.message) for c in checks}


def _check_timed(engine: ExtraEngine, exercise: str) -> tuple[dict, float]:
    """`docker-grade check EXERCISE --format json` on ``engine``: its checks by id, and how
    long it took."""
    started = time.monotonic()
    run = subprocess.run(
        [EXECUTABLE, "check", exercise, "--format", "json", "--docker-host", engine.docker_host],
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    return {c["id"]: c for c in json.loads(run.stdout)["exercises"][0]["checks"]}, took


def _pair(host: StudentHost):
    host.network("mynet")
    a = host.container("busybox", network="mynet")
    b = host.container("busybox", network="mynet")
    host.wait_running(a), host.wait_running(b)
    return a, b


FAULTS = {
    "removed": lambda b, host: host.api.remove_container(b.id, force=True),
    "paused": lambda b, host: host.api.pause(b.id),
    "restarted": lambda b, host: host.api.restart(b.id, timeout=0),
    "disconnected": lambda b, host: host.client.networks.get("mynet").disconnect(b.id, force=True),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_container_that_changes_between_the_snapshot_and_its_probe(
    host, fault_engine, fault, monkeypatch
):
    _, b = _pair(host)

    results = _grade_with_a_fault(
        fault_engine, "two-containers-ping", lambda: FAULTS[fault](b, host), monkeypatch
    )

    assert results["two-containers"][0] == results["interactive"][0] == "passed"
    for check_id in ("b-reaches-a", "a-reaches-b"):
        status, message = results[check_id]
        assert status == "error", (check_id, results)
        assert "changed while it was graded" in message or "could not run" in message, message
    if fault == "paused":
        host.api.unpause(b.id)


def test_an_http_server_that_accepts_and_never_answers(host, fault_engine, tmp_path):
    site = tmp_path / "nginx"
    site.mkdir()
    (site / "index.html").write_text("<p>mine</p>")
    host.wait_running(
        host.container(
            "busybox",
            name="mynginx",
            binds=[f"{site}:/usr/share/nginx/html:ro"],
            command=["sh", "-c", "sleep 600 | nc -l -p 80"],
        )
    )

    checks, took = _check_timed(fault_engine, "nginx-ro-volume")

    assert checks["custom-page"]["status"] == "error"
    assert "gave no answer within 5 s" in checks["custom-page"]["message"]
    assert checks["mount-read-only"]["status"] == "passed"  # the run went on
    assert took < 20


def test_dockerd_killed_during_the_probes(docker_client, fixture_images):
    engine = ExtraEngine("dg-killed").start()
    try:
        engine.load_images(docker_client)
        host = StudentHost(engine.client())
        remove_leftovers(host.client)  # of an earlier run killed in the same way
        _pair(host)
        grader = subprocess.Popen(
            [
                EXECUTABLE,
                "check",
                "two-containers-ping",
                "network-isolation",
                "--format",
                "json",
                "--docker-host",
                engine.docker_host,
                "--engine-timeout",
                "3",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_a_probe(host)
        engine.kill()
        killed_at = time.monotonic()
        _, stderr = grader.communicate(timeout=60)
        took = time.monotonic() - killed_at

        assert grader.returncode == 3, stderr
        assert took < 3 * 4, took  # a few engine calls' time limits at most
        assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
        assert stderr.startswith("docker-grade: cannot use the Docker engine at")
    finally:
        engine.stop()  # and what the killed dockerd left running


def _wait_for_a_probe(host: StudentHost, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.api.containers(all=True, filters={"label": "docker-grade.probe"}):
            return
        time.sleep(0.02)
    raise AssertionError("no probe container appeared")


def test_a_grader_killed_outright_leaves_probes_the_next_run_removes(host, fault_engine):
    _pair(host)
    grader = subprocess.Popen(
        [
            EXECUTABLE,
            "check",
            "two-containers-ping",
            "--format",
            "json",
            "--docker-host",
            fault_engine.docker_host,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for_a_probe(host)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    time.sleep(0.3)  # a create under way when it died may still land
    left = host.api.containers(all=True, filters={"label": "docker-grade.probe"})
    assert left, "the test needs a probe left behind"

    run = subprocess.run(
        [
            EXECUTABLE,
            "check",
            "custom-bridge",
            "--format",
            "json",
            "--docker-host",
            fault_engine.docker_host,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert host.api.containers(all=True, filters={"label": "docker-grade.probe"}) == []
    assert "left by a grader that was stopped" in run.stderr


def _drop_all_traffic(host: StudentHost, container) -> None:
    """iptables DROP in and out of the container's network namespace (from the host, as an
    administrator's firewall would): every probe that joins it is silenced too."""
    pid = host.api.inspect_container(container.id)["State"]["Pid"]
    for chain in ("INPUT", "OUTPUT"):
        subprocess.run(
            ["nsenter", "-t", str(pid), "-n", "iptables", "-A", chain, "-j", "DROP"], check=True
        )


def test_a_network_namespace_that_drops_all_traffic_proves_no_silence(host, fault_engine):
    host.network("neta"), host.network("netb")
    a = host.container("busybox", network="neta")
    b = host.container("busybox", network="netb")
    host.wait_running(a), host.wait_running(b)
    _drop_all_traffic(host, b)

    checks, took = _check_timed(fault_engine, "network-isolation")

    statuses = {check_id: c["status"] for check_id, c in checks.items()}
    # B's silence towards A proves nothing when B cannot reach its own gateway either.
    assert statuses == {
        "two-bridge-networks": "passed",
        "separate-networks": "passed",
        "host-reaches-a": "passed",
        "host-reaches-b": "failed",
        "b-cannot-reach-a": "error",
    }, checks
    assert "could not reach" in checks["b-cannot-reach-a"]["message"]
    assert "proves nothing" in checks["b-cannot-reach-a"]["message"]
    assert took < 30, took
