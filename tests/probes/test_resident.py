"""The resident probe container on a real engine: it runs what it can, proves each entry, and
leaves to containers of their own what it cannot."""

import pytest
from docker.errors import APIError

from grader.probes import (
    FILE_ABSENT,
    HttpAnswer,
    Probe,
    ProbeRunner,
    http_get,
    list_processes,
    ping,
    process_tree,
    read_in_container,
    read_on_host,
    stat_on_host,
    write_attempt,
    write_attempt_in_copy,
)
from grader.probes.resident import _ENTER, ENTRY_FAILED, ENTRY_FAILED_MARK, Entry

PROBE_LABEL = "docker-grade.probe"


def ip_of(container, network):
    container.reload()
    return container.attrs["NetworkSettings"]["Networks"][network]


@pytest.fixture
def web(student, tmp_path):
    """A busybox httpd serving tmp_path read-only on :8000 of its own network namespace, and
    the address of another container it cannot reach (another bridge)."""
    (tmp_path / "index.html").write_text("resident page\n")
    student.network("left")
    student.network("right")
    other = student.container("busybox", network="left")
    server = student.container(
        "busybox",
        network="right",
        binds=[f"{tmp_path}:/www:ro"],
        command=["httpd", "-f", "-p", "8000", "-h", "/www"],
    )
    student.wait_running(server)
    return server, ip_of(other, "left")["IPAddress"], ip_of(server, "right")["Gateway"]


def _course_like(server, silent, gateway) -> list[Probe]:
    netns = f"container:{server.id}"
    return [
        ping(gateway, netns=netns),
        ping(silent, netns=netns),
        http_get("http://127.0.0.1:8000/", netns=netns),
        write_attempt(server.id, "/www"),
        read_in_container(server.id, "/www/index.html"),
    ]


def _answers(results) -> list:
    answered, silent, page, write, read = results
    return [
        answered.succeeded,
        silent.succeeded,
        silent.problem,
        HttpAnswer.read(page).status,
        HttpAnswer.read(page).body,
        "REFUSED" in write.stdout,
        read.stdout,
    ]


def _counting_starts(probes) -> list[Probe]:
    """The probes the runner makes containers for, from now on (its resident container made
    first)."""
    probes._resident.start()
    made, original = [], probes._create
    probes._create = lambda probe, image, **options: (
        made.append(probe) or original(probe, image, **options)
    )
    return made


def test_planned_probes_run_in_the_resident_container_with_the_answers_of_their_own(web, engine):
    planned = _course_like(*web)
    with ProbeRunner(engine) as probes:
        made = _counting_starts(probes)
        probes.submit_all(planned)
        resident = [probes.run(probe) for probe in planned]
    with ProbeRunner(engine, resident=False) as probes:
        alone = [probes.run(probe) for probe in planned]
    assert made == []  # the resident one started with the runner: no container more
    assert _answers(resident) == _answers(alone)
    assert _answers(resident) == [
        True,
        False,
        None,
        200,
        "resident page\n",
        True,
        "resident page\n",
    ]


def test_what_the_resident_container_cannot_run_gets_a_container_of_its_own(web, engine, tmp_path):
    server, _, gateway = web
    listing = list_processes(server.id)  # reads its pid namespace's /proc: must live there
    copy = write_attempt_in_copy(str(tmp_path), "/www", read_only=True)  # a mount of its own
    reach = ping(gateway, netns=f"container:{server.id}")
    with ProbeRunner(engine) as probes:
        made = _counting_starts(probes)
        probes.submit_all([reach, listing, copy])
        tree = process_tree(probes.run(listing).stdout)
        refused = probes.run(copy).stdout
        reached = probes.run(reach).succeeded
    # (podman also asks a container of its own whether the folder exists: host_path_exists)
    assert listing in made and copy in made and reach not in made and reached
    assert tree[0]["PID"] == "1" and "httpd" in tree[0]["CMD"] and "REFUSED" in refused


def test_a_host_folder_is_read_below_the_hosts_root_as_its_own_mount_would_read_it(
    engine, tmp_path
):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "page.txt").write_text("on the host\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")  # followed as the engine follows it
    folders = [str(tmp_path / name) for name in ("real", "link", "missing")]
    planned = [read_on_host(folder, "page.txt") for folder in folders]
    planned += [stat_on_host(folder, "page.txt") for folder in folders]
    planned.append(read_on_host(folders[0], "absent.txt"))
    with ProbeRunner(engine, resident=False) as probes:
        alone = [probes.run(probe) for probe in planned]
    with ProbeRunner(engine) as probes:
        made = _counting_starts(probes)
        probes.submit_all(planned)
        resident = [probes.run(probe) for probe in planned]

    def seen(result):
        return (result.exit_code, result.stdout.split()[:1], bool(result.problem))

    assert [seen(r) for r in resident] == [seen(r) for r in alone]
    assert [seen(r) for r in resident[:2]] == [(0, ["on"], False)] * 2
    assert resident[2].problem and "bind source path does not exist" in resident[2].problem
    assert resident[-1].exit_code == FILE_ABSENT
    # only the missing folder went the usual way, refused by the engine as it always was
    # (podman also asks whether it exists, through the host's root: "/")
    assert {p.bind[0] for p in made if p.bind and p.bind[0] != "/"} == {folders[2]}


def test_an_entry_that_fails_proves_nothing_and_the_probe_runs_the_usual_way(web, engine):
    server, silent, gateway = web
    planned = [ping(gateway, netns=f"container:{server.id}")]
    with ProbeRunner(engine) as probes:
        made = _counting_starts(probes)
        # a pid that no process has: the entry cannot be made, as where a security module
        # forbids it or the probe image has no nsenter
        probes._resident._pids[server.id] = 4_000_000
        probes.submit_all(planned)
        answered = probes.run(planned[0])
        later = probes.run(ping(silent, netns=f"container:{server.id}"))
    assert answered.succeeded  # not the failed entry's "no answer"
    assert not later.succeeded and later.problem is None
    assert made == [planned[0], ping(silent, netns=f"container:{server.id}")]


def test_an_entry_into_no_process_says_so_and_runs_nothing(engine):
    with ProbeRunner(engine) as probes:
        container_id = probes._resident.start()
        entry = Entry(["sh", "-c", _ENTER, "4000000", "echo", "ran"], ())
        framed = probes._resident._exec(container_id, [entry])
    assert framed[0]["rc"].strip() == str(ENTRY_FAILED).encode()
    assert ENTRY_FAILED_MARK.encode() in framed[0]["err"] and framed[0]["out"] == b""


def test_a_probe_out_of_time_in_the_resident_container_says_so(engine):
    quick = Probe(command=("echo", "done"), timeout_s=2)
    stuck = Probe(command=("sleep", "60"), timeout_s=2)
    with ProbeRunner(engine) as probes:
        made = _counting_starts(probes)
        probes.submit_all([quick, stuck])
        ended, late = probes.run(quick), probes.run(stuck)
    assert made == []
    assert ended.succeeded and ended.stdout.strip() == "done"
    assert late.exit_code is None and "no answer within 2 s" in late.problem


def test_an_engine_that_refuses_the_resident_container_gets_every_probe_the_usual_way(web, engine):
    planned = _course_like(*web)
    with ProbeRunner(engine, resident=False) as probes:
        alone = [probes.run(probe) for probe in planned]

    class Refusing(ProbeRunner):
        def _start_resident(self, settings):
            raise APIError("refused", explanation="the host's pid namespace is not allowed")

    with Refusing(engine) as probes:
        probes.submit_all(planned)
        refused = [probes.run(probe) for probe in planned]
    assert _answers(refused) == _answers(alone)


def test_the_resident_container_is_gone_when_the_runner_closes(engine, docker_client):
    with ProbeRunner(engine) as probes:
        resident = probes._resident.start()
        assert probes.run(ping("127.0.0.1", netns="host")).succeeded
    assert resident
    assert docker_client.api.containers(all=True, filters={"label": PROBE_LABEL}) == []


def test_a_probe_that_needs_no_capability_runs_as_nobody_in_the_resident_container(engine):
    # the resident container holds SYS_ADMIN (to enter namespaces): what reads a student
    # server's answer (wget) must not
    unprivileged = Probe(command=("sh", "-c", "id -u; grep CapEff /proc/self/status"))
    with ProbeRunner(engine) as probes:
        made = _counting_starts(probes)
        result = probes.run(unprivileged)
    assert made == [] and result.succeeded
    assert result.stdout.split()[0] == "65534" and result.stdout.split()[-1] == "0" * 16
