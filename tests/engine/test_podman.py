"""Grading a student who uses podman (Fedora, RHEL): the course's solutions, made through
podman's Docker API, score as on Docker; podman's own defaults are not taken for the student's
choices. Against a real ``podman system service`` (support.podman)."""

import pytest

from grader.engine.podman import DOCKER, PODMAN, product_of, read_top
from grader.engine.references import local_names, normalize, repository_of
from support.cli import all_passed, grade
from support.node_app import write_project
from support.podman import PodmanService
from support.student import TEST_LABEL, StudentHost

BEST_PRACTICES = (
    "memory-limited",
    "cpu-limited",
    "pids-limited",
    "not-privileged",
    "non-root",
    "no-sensitive-mounts",
    "single-process",
)
PRODUCTION = {"mem_limit": "256m", "nano_cpus": 500_000_000, "pids_limit": 100}


@pytest.fixture(scope="session")
def podman(docker_client, fixture_images, node_images) -> PodmanService:
    """One podman engine for the session, holding busybox and nginx as pulled, and the
    course's image built as ``podman build -t mine/node`` names it (localhost/mine/node)."""
    service = PodmanService()
    try:
        service.start()
        service.load_pulled_images(docker_client)
        service.load(docker_client, node_images["good"], "mine/node")
        yield service
        service.podman("rmi", "--force", "mine/node")
    finally:
        service.stop()


@pytest.fixture
def podman_student(podman) -> StudentHost:
    """A student's state on the podman engine, through its Docker API, removed afterwards."""
    client = podman.client()
    host = StudentHost(client)
    yield host
    host.remove_all()
    client.close()


def grade_podman(podman: PodmanService, *exercises: str, **options):
    return grade(*exercises, extra=("--docker-host", podman.docker_host), **options)


def run_app(student: StudentHost, **options):
    """docker run -d [--memory ... --pids-limit ...] mine/node, on podman"""
    container = student.container("mine/node", interactive=False, tty=False, **options)
    student.wait_running(container)
    return container


# --- the course's solutions ----------------------------------------------------------------


def test_node_multistage_scores_full_and_the_report_names_podman(podman, podman_student, tmp_path):
    project = write_project(tmp_path / "app")
    podman_student.wait_log(run_app(podman_student, port_bindings={8080: 8181}), "listening")

    run = grade_podman(podman, "node-multistage", cwd=project)

    assert run.exit_code == 0, run.stdout
    assert set(run.statuses("node-multistage").values()) == {"passed"}
    assert run.report["host"]["product"] == PODMAN
    assert (
        "localhost/mine/node:latest"
        in run.check("node-multistage", "image-built")["evidence"]["tags"]
    )


def test_image_save_of_podman_save_scores_full(podman, tmp_path):
    podman.podman("save", "-o", str(tmp_path / "myimage.tar"), "mine/node")

    run = grade_podman(podman, "image-save", cwd=tmp_path)

    assert run.exit_code == 0, run.stdout
    assert set(run.statuses("image-save").values()) == {"passed"}


def test_best_practices_scores_full(podman, podman_student):
    run_app(podman_student, **PRODUCTION)

    run = grade_podman(podman, "best-practices")

    assert run.statuses("best-practices") == all_passed(*BEST_PRACTICES)
    assert "node index.js (uid node)" in run.check("best-practices", "non-root")["message"]


def test_podman_default_pid_limit_is_not_a_limit(podman, podman_student):
    run_app(podman_student, mem_limit="256m", nano_cpus=500_000_000)  # podman adds 2048 itself

    run = grade_podman(podman, "best-practices")

    assert run.statuses("best-practices") == {
        **all_passed(*BEST_PRACTICES),
        "pids-limited": "failed",
    }
    check = run.check("best-practices", "pids-limited")
    assert "podman's default" in check["message"] and "--pids-limit" in check["hint"]


def test_a_root_process_is_seen_without_the_container_ps(podman, podman_student):
    run_app(podman_student, user="root", **PRODUCTION)

    run = grade_podman(podman, "best-practices")

    assert run.statuses("best-practices") == {**all_passed(*BEST_PRACTICES), "non-root": "failed"}


@pytest.fixture
def podman_networks(podman):
    """``podman network create [-o isolate=true] NAME``, as the student types it; removed
    afterwards with what runs on them. (Through the Docker API, podman 4.3 with netavark 1.4
    isolated only the first of two such networks.)"""
    names = []

    def create(name: str, *options: str) -> None:
        podman.podman("network", "create", "--label", f"{TEST_LABEL}=1", *options, name)
        names.append(name)

    yield create
    for name in names:
        podman.podman("network", "rm", "--force", name)


def test_networks_are_isolated_only_with_isolate_true(podman, podman_student, podman_networks):
    for name in ("net1", "net2"):
        podman_networks(name)
    podman_student.container("busybox", network="net1")
    podman_student.container("busybox", network="net2")

    reached = grade_podman(podman, "network-isolation")

    check = reached.check("network-isolation", "b-cannot-reach-a")
    assert check["status"] == "failed"
    assert "isolate=true" in check["message"] and "podman network create" in check["hint"]
    podman_student.remove_all()

    for name in ("iso1", "iso2"):
        podman_networks(name, "-o", "isolate=true")
    podman_student.container("busybox", network="iso1")
    podman_student.container("busybox", network="iso2")

    isolated = grade_podman(podman, "network-isolation")

    assert set(isolated.statuses("network-isolation").values()) == {"passed"}, isolated.stdout


# --- what podman answers otherwise than Docker, read the Docker way ---------------------------


def test_the_engine_is_told_by_its_version_components():
    podman_version = {
        "Version": "4.3.1",
        "Components": [{"Name": "Podman Engine"}, {"Name": "Conmon"}],
    }
    docker_version = {
        "Version": "20.10.24",
        "Components": [{"Name": "Engine"}, {"Name": "containerd"}],
    }

    assert (product_of(podman_version), product_of(docker_version), product_of({})) == (
        PODMAN,
        DOCKER,
        DOCKER,
    )


@pytest.mark.parametrize(
    "reference, repository",
    [
        ("localhost/mine/node:latest", "mine/node"),
        ("localhost/busybox", "busybox"),
        ("localhost:5000/mine/node", "localhost:5000/mine/node"),  # a registry on a port stays
    ],
)
def test_podman_local_prefix_names_no_registry(reference, repository):
    assert repository_of(reference) == repository
    assert normalize(reference) == f"{repository}:latest"


def test_an_image_is_looked_up_under_podman_local_name_too():
    assert local_names("mine/node") == ("mine/node", "localhost/mine/node")
    assert local_names("localhost:5000/app") == ("localhost:5000/app",)
    assert local_names("sha256:" + "a" * 64) == ("sha256:" + "a" * 64,)


def test_podman_top_rows_read_as_docker_rows():
    top = {
        "Titles": ["PID", "PPID", "USER", "HUSER", "COMMAND"],
        "Processes": [
            ["1", "0", "node", "1000", "node index.js"],
            ["7", "1", "node", "root", "sh"],
        ],
    }  # a passwd that renames root

    reading = read_top(top)

    assert reading.problem is None
    assert reading.processes == [
        {"PID": "1", "PPID": "0", "UID": "node", "CMD": "node index.js"},
        {"PID": "7", "PPID": "1", "UID": "0", "CMD": "sh"},
    ]


def test_podman_top_from_the_container_ps_is_not_evidence():
    # podman falls back on the container's own ps for descriptors it does not know: one
    # column of text, whatever that ps chose to print
    top = {"Titles": ["PID   USER     COMMAND"], "Processes": [["1 node     node index.js"]]}

    reading = read_top(top)

    assert reading.processes is None
    assert "container's own ps" in reading.problem.en and "ps du conteneur" in reading.problem.fr
