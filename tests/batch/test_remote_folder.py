"""A remote student's files, read where they are: ``engine:/PATH`` names a folder on the
engine's host, read through a probe that mounts it read-only (a missing one is never made)."""

from __future__ import annotations

import json

from test_whole_course import all_solutions

from support.cli import docker_grade

FULL = {
    "node-multistage": 11,
    "two-containers-ping": 5,
    "image-save": 4,
    "custom-bridge": 5,
    "network-isolation": 6,
    "nginx-ro-volume": 6,
    "volume-escalation": 4,
    "best-practices": 7,
}


def test_a_batch_over_ssh_grades_the_whole_course_with_the_files_on_the_remote_side(
    students, class_engines, ssh_access, node_images, docker_client, tmp_path, proof_file
):
    remote, host = class_engines[1], students[1]  # the engine reached over ssh://
    remote.load_images(docker_client, images=(node_images["good"],))
    course = tmp_path / "ana-course"  # on the engine's host (this machine, another netns)
    course.mkdir()
    all_solutions(host, node_images, course, docker_host=remote.docker_host)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,docker_host,folder\n"
        f"ana,{ssh_access['docker_host']},engine:{course}\n"
        f"ben,{ssh_access['docker_host']},engine:{tmp_path}/not-there\n"
    )
    out = tmp_path / "out"
    instructor = tmp_path / "instructor"  # the batch runs elsewhere: no file of Ana's here
    instructor.mkdir()

    run = docker_grade(
        "batch",
        str(roster),
        "--out",
        str(out),
        "--lang",
        "en",
        env=ssh_access["env"],
        cwd=instructor,
        timeout=600,
    )

    assert run.exit_code == 3, run.stderr  # ben could not be graded
    report = json.loads((out / "ana.json").read_text())
    scores = {e["id"]: e["score"] for e in report["exercises"]}
    failing = [
        (e["id"], c["id"], c["message"])
        for e in report["exercises"]
        for c in e["checks"]
        if c["status"] != "passed"
    ]
    assert failing == [] and scores == FULL
    gradebook = (out / "gradebook.csv").read_text()
    assert "no such folder on the engine's host" in gradebook
    assert not (tmp_path / "not-there").exists()  # never created by the grader


def test_check_with_an_engine_folder(student, node_images, tmp_path):
    """check --folder engine:PATH reads the Dockerfile and the archive on the engine's host;
    a missing one is one line, exit 2, and is not created."""
    from support.node_app import write_project

    course = tmp_path / "course"
    write_project(course)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = docker_grade(
        "check",
        "node-multistage",
        "--folder",
        f"engine:{course}",
        "--format",
        "json",
        cwd=elsewhere,
    )
    assert run.exit_code == 1, run.stderr
    statuses = {c["id"]: c["status"] for c in run.report["exercises"][0]["checks"]}
    assert statuses["dockerfile-multistage"] == "passed"  # read from the engine's side

    missing = docker_grade(
        "check", "node-multistage", "--folder", f"engine:{tmp_path}/gone", cwd=elsewhere
    )
    assert missing.exit_code == 2 and "Traceback" not in missing.stderr
    assert f"engine:{tmp_path}/gone: no such folder on the engine's host" in missing.stderr
    assert not (tmp_path / "gone").exists()
    relative = docker_grade("check", "--folder", "engine:course", cwd=elsewhere)
    assert relative.exit_code == 2 and "absolute path" in relative.stderr
