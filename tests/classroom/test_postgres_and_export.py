"""The class server over PostgreSQL (two serve processes sharing one database; the database
away for 30 s), and ``serve --export`` read back by ``gradebook`` and ``rescore``."""

from __future__ import annotations

import json
import threading
import time

import httpx

from support.class_server import (
    ClassServerProcess,
    first_event_after,
    report_json,
    write_roster,
)
from support.cli import docker_grade
from support.postgres import PostgresServer
from support.reports import course_report

OUTAGE_S = 30.0


def failing(check: str, student_id=None) -> str:
    return report_json(course_report({"custom-bridge": {check: "failed"}}, student_id))


def test_two_serve_processes_share_one_postgresql_database(postgres_url, tmp_path):
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana", "bob": "Bob"})
    state = tmp_path / "state"
    first = ClassServerProcess(roster, state, db=postgres_url)
    second = ClassServerProcess(roster, state, db=postgres_url)
    # started together: the migrations and the tokens are made once
    starting = [threading.Thread(target=s.start) for s in (first, second)]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join()
    try:
        assert sorted(first.tokens()) == ["ana", "bob"]
        assert first.post_grading("bob", failing("network-subnet")).status_code == 201
        # a grading received by one process is on the other's board ...
        row = second.row("bob")
        assert row["exercises"]["custom-bridge"]["checks"]["network-subnet"] == "failed"
        # ... and the other's open boards hear of it within a second
        delay = first_event_after(
            second, lambda: first.post_grading("ana", failing("network-driver"))
        )
        assert delay < 1.0, delay
        assert second.row("ana")["exercises"]["custom-bridge"]["checks"]["network-driver"] == (
            "failed"
        )
        # a resend to the other process is known there
        body = failing("network-exists")
        assert first.post_grading("ana", body, key="same").status_code == 201
        again = second.post_grading("ana", body, key="same")
        assert (again.status_code, again.json()["stored"]) == (200, False)
    finally:
        first.stop()
        second.stop()


def test_postgresql_away_for_30_s_answers_503_then_recovers_by_itself(tmp_path):
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana"})
    with PostgresServer() as database:
        database.create_database("lab")
        with ClassServerProcess(roster, tmp_path / "state", db=database.url("lab")) as server:
            assert server.post_grading("ana", failing("network-subnet")).status_code == 201
            database.stop(remove=False)
            away_until = time.monotonic() + OUTAGE_S
            answers = []
            while time.monotonic() < away_until:
                answers.append(server.post_grading("ana", failing("network-driver")))
                time.sleep(2)
            assert {a.status_code for a in answers} == {503}
            assert all(a.headers["Retry-After"] for a in answers)
            assert "database" in answers[0].json()["error"]
            board = httpx.get(
                f"{server.url}/api/class",
                headers={"Authorization": f"Bearer {server.instructor_token()}"},
            )
            assert board.status_code == 503
            database.start()
            deadline = time.monotonic() + 10
            while True:
                answer = server.post_grading("ana", failing("network-driver"))
                if answer.status_code == 201 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert answer.status_code == 201, answer.text
            row = server.row("ana")
            assert row["exercises"]["custom-bridge"]["checks"]["network-driver"] == "failed"
            assert server.process.poll() is None


def test_export_writes_the_batch_layout_that_gradebook_and_rescore_read(tmp_path):
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana", "bob": "Bob", "cy": "Cy"})
    state = tmp_path / "state"
    with ClassServerProcess(roster, state) as server:
        server.post_grading("ana", failing("network-subnet"))
        server.post_grading(
            "ana", report_json(course_report({"two-containers-ping": {}}))
        )  # merged with the first
        server.post_grading("bob", report_json(course_report({"custom-bridge": {}})))
    grades = tmp_path / "grades"
    run = docker_grade("serve", str(roster), "--state", str(state), "--export", str(grades))
    assert run.exit_code == 0, run.stderr
    assert "2 of 3" in run.stdout
    assert sorted(p.name for p in grades.iterdir()) == [
        "ana.json",
        "bob.json",
        "gradebook.csv",
        "summary.html",
    ]
    ana = json.loads((grades / "ana.json").read_text())
    assert [e["id"] for e in ana["exercises"]] == ["two-containers-ping", "custom-bridge"]
    assert (ana["score"], ana["max_score"], ana["student"]["id"]) == (9.0, 10.0, "ana")
    gradebook = (grades / "gradebook.csv").read_text().splitlines()
    assert gradebook[0].startswith("student_id")
    assert any(line.startswith("cy,") for line in gradebook)  # listed, ungraded
    moodle = docker_grade("gradebook", "moodle", str(grades))
    assert moodle.exit_code == 0, moodle.stderr
    assert "ana" in moodle.stdout and "bob" in moodle.stdout
    rescored_dir = tmp_path / "rescored"
    rescored = docker_grade("rescore", str(grades / "ana.json"), "--out", str(rescored_dir))
    assert rescored.exit_code in (0, 1), rescored.stderr
    assert json.loads((rescored_dir / "ana.json").read_text())["score"] == 9.0
