"""node-multistage on a real engine: the student's folder, the image built, the container run."""

import os

import pytest

from support.cli import all_passed, docker_grade, grade
from support.node_app import (
    APP_FILES,
    COURSE_DOCKERFILE,
    FIXED_DOCKERFILE,
    SINGLE_STAGE_SHELL_CMD,
    write_project,
)

EXERCISE = "node-multistage"
CHECKS = (
    "dockerfile-multistage",
    "dockerfile-lint",
    "image-built",
    "image-non-root",
    "image-exposes",
    "image-cmd",
    "container-running",
    "port-published",
    "http-responds",
    "logs-readable",
)
RUN_CHECKS = ("container-running", "port-published", "http-responds", "logs-readable")


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "app")


def run_app(student, image="mine/node", ports=None, **options):
    """docker run -d -p 8181:8080 mine/node"""
    container = student.container(
        image,
        interactive=False,
        tty=False,
        port_bindings={8080: 8181} if ports is None else ports,
        **options,
    )
    student.wait_running(container)
    return container


def test_course_solution_with_the_fix_gets_full_score(student, node_images, project):
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student), "listening")

    run = grade(EXERCISE, cwd=project)

    assert run.exit_code == 0, run.stdout
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "http-responds")["evidence"]["http_status"] == 200


def test_the_course_dockerfile_bug_is_caught_with_its_fix_in_both_languages(
    student, node_images, project
):
    (project / "Dockerfile").write_text(COURSE_DOCKERFILE)
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student), "listening")

    english, french = grade(EXERCISE, cwd=project), grade(EXERCISE, cwd=project, lang="fr")

    assert english.statuses(EXERCISE) == {**all_passed(*CHECKS), "dockerfile-lint": "failed"}
    lint = english.check(EXERCISE, "dockerfile-lint")
    assert "line 4" in lint["message"] and "COPY package*.json /app/" in lint["message"]
    assert "ligne 4" in french.check(EXERCISE, "dockerfile-lint")["message"]
    assert "/app/" in french.check(EXERCISE, "dockerfile-lint")["hint"]


def test_a_single_stage_dockerfile_with_a_shell_form_cmd(student, node_images, project):
    (project / "Dockerfile").write_text(SINGLE_STAGE_SHELL_CMD)
    student.tag(node_images["single-stage"], "mine/node")
    student.wait_log(run_app(student), "listening")

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {
        **all_passed(*CHECKS),
        "dockerfile-multistage": "failed",
        "image-cmd": "failed",
    }
    assert "warning" in run.check(EXERCISE, "dockerfile-lint")["message"]  # shell CMD: a warning
    assert "shell form" in run.check(EXERCISE, "image-cmd")["message"]


def test_a_port_published_on_the_wrong_host_port(student, node_images, project):
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student, ports={8080: 8182}), "listening")

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {
        **all_passed(*CHECKS),
        "port-published": "failed",
        "http-responds": "skipped",
    }
    assert "8182" in run.check(EXERCISE, "port-published")["message"]


def test_an_image_built_but_no_container(student, node_images, project):
    student.tag(node_images["good"], "mine/node")

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {
        **all_passed(*CHECKS[:6]),
        "container-running": "failed",
        "port-published": "skipped",
        "http-responds": "skipped",
        "logs-readable": "skipped",
    }
    assert "docker logs" in run.check(EXERCISE, "logs-readable")["hint"]


def test_no_image_and_no_dockerfile(student, tmp_path):
    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {
        "dockerfile-multistage": "failed",
        "dockerfile-lint": "skipped",
        "image-built": "failed",
        "image-non-root": "skipped",
        "image-exposes": "skipped",
        "image-cmd": "skipped",
        "container-running": "failed",
        "port-published": "skipped",
        "http-responds": "skipped",
        "logs-readable": "skipped",
    }


def test_an_image_without_user_runs_as_root(student, node_images, project):
    student.tag(node_images["root"], "mine/node")
    student.wait_log(run_app(student), "listening")

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "image-non-root": "failed"}


def build_and_run(student, tag, dockerfile):
    """docker build -t mine/node . (from ``dockerfile`` and the app), then docker run."""
    student.build(tag, dockerfile, APP_FILES)
    student.tag(tag, "mine/node")
    student.wait_log(run_app(student), "listening")


def test_uid_0_written_00_is_root(student, project):
    dockerfile = FIXED_DOCKERFILE.replace("USER node\n", "USER 00\n")
    (project / "Dockerfile").write_text(dockerfile)
    build_and_run(student, "docker-grade-test/node-user-00", dockerfile)

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "image-non-root": "failed"}
    assert run.check(EXERCISE, "image-non-root")["evidence"]["user"] == "00"


def test_a_copy_destination_from_an_env_variable_passes_the_lint(student, project):
    # ENV APP_DIR=/app/ then COPY package*.json ${APP_DIR}: the destination is /app/, a folder;
    # the image really builds from it.
    dockerfile = FIXED_DOCKERFILE.replace(
        "WORKDIR /app\nCOPY package*.json /app/\n",
        "ENV APP_DIR=/app/\nWORKDIR $APP_DIR\nCOPY package*.json ${APP_DIR}\n",
        1,
    )
    assert "COPY package*.json ${APP_DIR}\n" in dockerfile
    (project / "Dockerfile").write_text(dockerfile)
    build_and_run(student, "docker-grade-test/node-app-dir", dockerfile)

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "dockerfile-lint")["evidence"]["findings"] == []


@pytest.mark.parametrize("name", ["Dockerfile", "dockerfile"])
def test_a_fifo_named_dockerfile_fails_the_dockerfile_checks_without_hanging(
    student, node_images, tmp_path, name
):
    # Reading a FIFO blocks until someone writes into it: the grader must not read it. A hang
    # makes the run time out and the test fail.
    project = write_project(tmp_path / "app", dockerfile=None)
    os.mkfifo(project / name)
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student), "listening")

    run = docker_grade(
        "check", EXERCISE, "--format", "json", "--lang", "en", cwd=project, timeout=30
    )

    assert run.exit_code == 1, run.stderr
    assert run.statuses(EXERCISE) == {
        **all_passed(*CHECKS),
        "dockerfile-multistage": "failed",
        "dockerfile-lint": "failed",
    }
    for check_id in ("dockerfile-multistage", "dockerfile-lint"):
        assert f"{name} is a FIFO, not a regular file" in run.check(EXERCISE, check_id)["message"]


def test_an_app_that_logs_only_requests_passes_with_the_graders_own_every_time(
    student, node_images, project
):
    # It logs a request 0.5 s after answering it. The grader's GET is a request like any
    # other: counted in the first grading as in the next, which would find its line anyway.
    student.tag(node_images["good"], "mine/node")
    run_app(
        student,
        command=[
            "node",
            "-e",
            "require('http').createServer((q,s)=>{s.end('ok');"
            "setTimeout(()=>console.log('GET '+q.url),500)}).listen(8080)",
        ],
    )

    first, second = grade(EXERCISE, cwd=project), grade(EXERCISE, cwd=project)

    assert first.statuses(EXERCISE) == second.statuses(EXERCISE) == all_passed(*CHECKS)
    assert first.check(EXERCISE, "logs-readable")["evidence"]["first_line"] == "GET /"


def test_an_app_that_answers_and_writes_nothing_has_no_logs(student, node_images, project):
    student.tag(node_images["good"], "mine/node")
    run_app(
        student,
        command=["node", "-e", "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"],
    )

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "logs-readable": "failed"}
    message = run.check(EXERCISE, "logs-readable")["message"]
    assert "an empty log, read again for" in message and "the grader's own request" in message


def test_a_silent_app_without_a_published_port_has_no_logs(student, node_images, project):
    student.tag(node_images["good"], "mine/node")
    run_app(student, ports={}, command=["node", "-e", "setInterval(() => {}, 1000)"])

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {
        **all_passed(*CHECKS),
        "port-published": "failed",
        "http-responds": "skipped",
        "logs-readable": "failed",
    }
    # graded at once: the log is read again until the container has run 10 s
    assert "as its container had just started" in run.check(EXERCISE, "logs-readable")["message"]


def test_a_first_log_line_3_s_after_the_start_counts_when_graded_at_once(
    student, node_images, project
):
    student.tag(node_images["good"], "mine/node")
    run_app(
        student,
        ports={},
        command=["node", "-e", "setTimeout(()=>console.log('ready'),3000); setInterval(()=>0,1e3)"],
    )

    run = grade(EXERCISE, cwd=project)

    assert run.check(EXERCISE, "logs-readable")["status"] == "passed"
    assert run.check(EXERCISE, "logs-readable")["evidence"]["first_line"] == "ready"


def test_an_app_that_does_not_listen_fails_http_after_the_stated_wait(
    student, node_images, project
):
    student.tag(node_images["good"], "mine/node")
    run_app(student, command=["node", "-e", "console.log('up'); setInterval(() => {}, 1000)"])

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "http-responds": "failed"}
    message = run.check(EXERCISE, "http-responds")["message"]
    assert "no answer, after waiting" in message and "had just started" in message, message


def test_an_app_still_starting_is_waited_for(student, node_images, project):
    # Graded the moment its container runs, the app listens 2 s later.
    student.tag(node_images["good"], "mine/node")
    run_app(
        student,
        command=[
            "node",
            "-e",
            "setTimeout(()=>require('http').createServer((q,s)=>s.end('ok'))"
            ".listen(8080,()=>console.log('listening')),2000)",
        ],
    )

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    message = run.check(EXERCISE, "http-responds")["message"]
    assert "its container had just started" in message, message


def test_context_param_points_at_the_folder(student, node_images, project, tmp_path):
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student), "listening")

    run = grade(EXERCISE, cwd=tmp_path, settings=(f"context={project}",))

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_titles_and_hints_follow_the_params(student, node_images, project):
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student, ports={8080: 9000}), "listening")

    run = grade(EXERCISE, cwd=project, settings=("host_port=9000",))

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert "9000" in run.check(EXERCISE, "port-published")["title"]
    assert "port 9000" in run.report["exercises"][0]["title"]


@pytest.mark.parametrize("host_ip", ["127.0.0.1", "::1"])
def test_a_port_published_on_one_loopback_address(student, node_images, project, host_ip):
    # docker run -d -p 127.0.0.1:8181:8080 mine/node, or -p [::1]:8181:8080
    student.tag(node_images["good"], "mine/node")
    student.wait_log(run_app(student, ports={8080: (host_ip, 8181)}), "listening")

    run = grade(EXERCISE, cwd=project)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "http-responds")["evidence"]["http_status"] == 200
