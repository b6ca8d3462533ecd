"""nginx-ro-volume on a real engine: the page is fetched, the write is attempted."""

import pytest

from support.cli import all_passed, grade

EXERCISE = "nginx-ro-volume"
CHECKS = ("container-running", "image-nginx", "bind-mount", "mount-read-only", "custom-page")
TARGET = "/usr/share/nginx/html"
MY_PAGE = "<h1>Hello from my own page</h1>\n"


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "nginx"
    folder.mkdir()
    (folder / "index.html").write_text(MY_PAGE)
    return folder


def run_nginx(student, binds, image="nginx:alpine", name="mynginx", **options):
    """docker run -d -it --name mynginx -v ... nginx:alpine"""
    container = student.container(image, name=name, binds=binds, **options)
    student.wait_running(container)
    return container


def test_course_solution_gets_full_score(student, site):
    run_nginx(student, [f"{site}:{TARGET}:ro"])

    run = grade(EXERCISE)

    assert run.exit_code == 0, run.stdout
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert "Read-only" in run.check(EXERCISE, "mount-read-only")["evidence"]["write_attempt"]
    assert run.check(EXERCISE, "custom-page")["evidence"]["http_status"] == 200
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]


def test_a_read_write_mount_fails_and_nothing_is_written_in_the_folder(student, site):
    run_nginx(student, [f"{site}:{TARGET}"])
    modified = site.stat().st_mtime_ns  # a file created then removed would change it

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "mount-read-only": "failed"}
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert site.stat().st_mtime_ns == modified  # no write was even attempted


def test_a_mount_at_the_wrong_path(student, site):
    run_nginx(student, [f"{site}:/usr/share/nginx/www:ro"])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        **all_passed("container-running", "image-nginx"),
        "bind-mount": "failed", "mount-read-only": "skipped", "custom-page": "skipped",
    }
    assert "/usr/share/nginx/www" in run.check(EXERCISE, "bind-mount")["message"]


def test_a_named_volume_instead_of_a_host_folder(student):
    student.volume("nginx")
    run_nginx(student, [f"nginx:{TARGET}:ro"])  # -v nginx:/usr/share/nginx/html:ro

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        **all_passed("container-running", "image-nginx"),
        "bind-mount": "failed", "mount-read-only": "skipped", "custom-page": "skipped",
    }
    bind = run.check(EXERCISE, "bind-mount")
    assert "volume" in bind["message"] and "named volume" in bind["hint"]


def test_the_default_page_copied_into_the_folder(student, site):
    (site / "index.html").write_text("<title>Welcome to nginx!</title><h1>Welcome to nginx!</h1>")
    run_nginx(student, [f"{site}:{TARGET}:ro"])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "custom-page": "failed"}
    assert "default page" in run.check(EXERCISE, "custom-page")["message"]


def test_no_index_html_in_the_folder(student, site):
    (site / "index.html").unlink()
    run_nginx(student, [f"{site}:{TARGET}:ro"])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "custom-page": "failed"}


def test_a_stopped_container(student, site):
    container = run_nginx(student, [f"{site}:{TARGET}:ro"])
    container.stop(timeout=2)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        **all_passed("image-nginx", "bind-mount", "mount-read-only"),
        "container-running": "failed", "custom-page": "skipped",
    }
    assert "exited" in run.check(EXERCISE, "container-running")["message"]


def test_a_paused_container_is_not_running(student, site):
    container = run_nginx(student, [f"{site}:{TARGET}:ro"])
    container.pause()

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE)["container-running"] == "failed"
    assert run.statuses(EXERCISE)["custom-page"] == "skipped"
    assert "paused" in run.check(EXERCISE, "container-running")["message"]


def test_no_container_named_mynginx(student, site):
    run_nginx(student, [f"{site}:{TARGET}:ro"], name="webserver")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        "container-running": "failed", "image-nginx": "skipped", "bind-mount": "skipped",
        "mount-read-only": "skipped", "custom-page": "skipped",
    }
    assert "webserver" in run.check(EXERCISE, "container-running")["message"]

    renamed = grade(EXERCISE, settings=("container=webserver",))
    assert renamed.statuses(EXERCISE) == all_passed(*CHECKS)


def test_another_image_serving_the_folder_is_not_nginx(student, site):
    container = student.container(
        "busybox", name="mynginx", binds=[f"{site}:{TARGET}:ro"],
        command=["httpd", "-f", "-p", "80", "-h", TARGET])
    student.wait_running(container)

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "image-nginx": "failed"}


def test_another_nginx_tag_passes_with_a_note(student, site, docker_client):
    docker_client.images.get("nginx:alpine").tag("nginx", "1.25-test")
    try:
        run_nginx(student, [f"{site}:{TARGET}:ro"], image="nginx:1.25-test")
        run = grade(EXERCISE)
    finally:
        docker_client.images.remove("nginx:1.25-test")

    image = run.check(EXERCISE, "image-nginx")
    assert image["status"] == "passed" and "nginx:alpine" in image["message"]


def test_nginx_without_ping_in_its_image_is_still_graded(student, site, lying_images):
    # The nginx fixture has busybox's ping; a student image without one changes nothing.
    container = student.container(
        lying_images["no-ping"], name="mynginx", binds=[f"{site}:{TARGET}:ro"],
        command=["httpd", "-f", "-p", "80", "-h", TARGET])
    student.wait_running(container)

    run = grade(EXERCISE, settings=("image=docker-grade-test/no-ping",))

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
