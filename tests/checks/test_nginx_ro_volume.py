"""nginx-ro-volume on a real engine: the page is fetched, the write is attempted."""

from pathlib import Path

import pytest

from support.cli import all_passed, grade

EXERCISE = "nginx-ro-volume"
CHECKS = ("container-running", "image-nginx", "bind-mount", "mount-read-only", "custom-page")
TARGET = "/usr/share/nginx/html"
MY_PAGE = "<h1>Hello from my own page</h1>\n"
# The fixture nginx image's own default page (tests/images/build.py puts it there).
DEFAULT_PAGE = (
    Path(__file__).parents[1]
    / "images"
    / "assets"
    / "nginx"
    / "usr"
    / "share"
    / "nginx"
    / "html"
    / "index.html"
)


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


def test_nginx_still_starting_is_waited_for(student, site):
    # Graded the moment it runs, nginx listens 2 s later: the probe waits (up to 10 s after
    # the container started) instead of failing a server that is on its way.
    run_nginx(
        student,
        [f"{site}:{TARGET}:ro"],
        command=["sh", "-c", "sleep 2; exec nginx -g 'daemon off;'"],
    )

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "custom-page")["evidence"]["http_status"] == 200
    assert "its container had just started" in run.check(EXERCISE, "custom-page")["message"]


def test_a_server_that_never_listens_fails_after_the_stated_wait(student, site):
    run_nginx(student, [f"{site}:{TARGET}:ro"], command=["sleep", "600"])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "custom-page": "failed"}
    message = run.check(EXERCISE, "custom-page")["message"]
    assert "no answer, after waiting" in message and "had just started" in message, message


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
        "bind-mount": "failed",
        "mount-read-only": "skipped",
        "custom-page": "skipped",
    }
    assert "/usr/share/nginx/www" in run.check(EXERCISE, "bind-mount")["message"]


def test_a_named_volume_instead_of_a_host_folder(student):
    student.volume("nginx")
    run_nginx(student, [f"nginx:{TARGET}:ro"])  # -v nginx:/usr/share/nginx/html:ro

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        **all_passed("container-running", "image-nginx"),
        "bind-mount": "failed",
        "mount-read-only": "skipped",
        "custom-page": "skipped",
    }
    bind = run.check(EXERCISE, "bind-mount")
    assert "volume" in bind["message"] and "named volume" in bind["hint"]


def test_the_default_page_copied_into_the_folder(student, site):
    (site / "index.html").write_bytes(DEFAULT_PAGE.read_bytes())
    run_nginx(student, [f"{site}:{TARGET}:ro"])

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "custom-page": "failed"}
    assert "default page" in run.check(EXERCISE, "custom-page")["message"]


def test_an_edited_copy_of_the_default_page_that_keeps_its_title_is_the_students(student, site):
    edited = DEFAULT_PAGE.read_text().replace("</body>", "<p>Edited by me.</p></body>")
    assert "<title>Welcome to nginx!</title>" in edited
    (site / "index.html").write_text(edited)
    run_nginx(student, [f"{site}:{TARGET}:ro"])

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_page_over_one_mebibyte_is_compared_whole(student, site):
    (site / "index.html").write_text("<p>" + "mine " * 300_000 + "</p>\n")  # 1.5 MB
    run_nginx(student, [f"{site}:{TARGET}:ro"])

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


def test_an_index_html_that_is_a_symlink_inside_the_folder_is_followed(student, site):
    (site / "index.html").rename(site / "page.html")
    (site / "index.html").symlink_to("page.html")
    (site / "absolute.html").symlink_to(f"{TARGET}/page.html")  # as nginx would see it
    run_nginx(student, [f"{site}:{TARGET}:ro"])
    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)

    (site / "index.html").unlink()
    (site / "index.html").symlink_to(f"{TARGET}/page.html")
    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_folder_renamed_after_the_start_is_still_what_is_served_and_is_not_recreated(
    student, site
):
    run_nginx(student, [f"{site}:{TARGET}:ro"])
    site.rename(site.with_name("renamed"))

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert not site.exists()  # the engine re-created it when the page was read with get_archive


def test_a_folder_removed_after_the_start_is_judged_by_the_mount_and_not_recreated(student, site):
    stopped = run_nginx(student, [f"{site}:{TARGET}:ro"], name="stopped")
    stopped.stop(timeout=2)
    run_nginx(student, [f"{site}:{TARGET}:ro"])
    for path in site.iterdir():
        path.unlink()
    site.rmdir()

    run = grade(EXERCISE)
    stopped_run = grade(EXERCISE, settings=("container=stopped",))

    # No write can be tried in a folder that is gone: the engine's record (ro) decides.
    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "custom-page": "failed"}
    assert "removed from the host" in run.check(EXERCISE, "mount-read-only")["message"]
    assert "no index.html" in run.check(EXERCISE, "custom-page")["message"]
    assert stopped_run.statuses(EXERCISE)["mount-read-only"] == "passed"
    assert "removed from the host" in stopped_run.check(EXERCISE, "mount-read-only")["message"]
    assert not site.exists()


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
        "container-running": "failed",
        "custom-page": "skipped",
    }
    assert "exited" in run.check(EXERCISE, "container-running")["message"]


def test_a_paused_container_is_not_running(student, site, engine_info):
    if engine_info.get("CgroupDriver") == "none":
        pytest.skip("this engine has no cgroups (rootless Docker on cgroup v1): no pause")
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
        "container-running": "failed",
        "image-nginx": "skipped",
        "bind-mount": "skipped",
        "mount-read-only": "skipped",
        "custom-page": "skipped",
    }
    assert "webserver" in run.check(EXERCISE, "container-running")["message"]

    renamed = grade(EXERCISE, settings=("container=webserver",))
    assert renamed.statuses(EXERCISE) == all_passed(*CHECKS)


def test_another_image_serving_the_folder_is_not_nginx(student, site):
    container = student.container(
        "busybox",
        name="mynginx",
        binds=[f"{site}:{TARGET}:ro"],
        command=["httpd", "-f", "-p", "80", "-h", TARGET],
    )
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
        lying_images["no-ping"],
        name="mynginx",
        binds=[f"{site}:{TARGET}:ro"],
        command=["httpd", "-f", "-p", "80", "-h", TARGET],
    )
    student.wait_running(container)

    run = grade(EXERCISE, settings=("image=docker-grade-test/no-ping",))

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
