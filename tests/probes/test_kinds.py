"""Which probes share a container (pure logic: no engine)."""

from grader.probes.kinds import (
    container_groups,
    http_get,
    ping,
    read_in_container,
    side_by_side,
    stat_on_host,
    write_attempt,
)

A, B = "container:aaaa", "container:bbbb"


def test_probes_about_different_containers_never_share_one():
    groups = container_groups([ping("10.0.0.2", netns=A), ping("10.0.0.3", netns=B)])
    assert len(groups) == 2


def test_a_probe_that_mounts_a_host_folder_runs_alone():
    probes = [
        stat_on_host("/var/log", "x"),
        stat_on_host("/var/log", "y"),
        ping("1.1.1.1", netns="host"),
    ]
    assert [len(group) for group in container_groups(probes)] == [1, 1, 1]


def test_host_pids_and_a_containers_pids_do_not_mix():
    probes = [ping("10.0.0.2", netns=A), read_in_container("aaaa", "/etc/hostname")]
    assert len(container_groups(probes)) == 2


def test_the_shared_container_has_every_setting_its_probes_ask_for():
    probes = [http_get("http://127.0.0.1/", netns="container:aaaa"), write_attempt("aaaa", "/data")]
    (group,) = container_groups(probes)
    shared = side_by_side(group)
    assert (shared.netns, shared.pid, shared.tmpfs) == (A, A, "/.docker-grade-scratch")
    assert shared.timeout_s == max(probe.timeout_s for probe in probes)


def test_grouping_keeps_the_order_it_was_given():
    probes = [ping(f"10.0.0.{n}", netns=A) for n in range(5)]
    assert container_groups(probes) == [probes]


def test_a_ping_asks_for_the_raw_socket_it_needs_also_beside_other_probes():
    """podman as distributions ship it leaves NET_RAW out of its default capabilities."""
    netns = "container:5e1f"
    together = side_by_side([http_get("http://x/", netns=netns), ping("10.0.0.2", netns=netns)])
    assert ping("10.0.0.2", netns=netns).capabilities == ("NET_RAW",)
    assert together.capabilities == ("NET_RAW",)
