"""The class server's API, on a real ``docker-grade serve`` process over SQLite: tokens, the
gradings it stores (and the resends it does not count twice), every bad input answered with a
4xx and one sentence and nothing stored, help, stuck, the room, and a SIGKILL that loses
nothing it acknowledged."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest

from support.class_server import (
    ClassServerProcess,
    first_event_after,
    report_json,
    write_roster,
)
from support.reports import course_report

STUDENTS = {"ana": "Ana Martin", "bob": "Bob Durand", "chloe": "Chloé Müller"}


@pytest.fixture
def roster(tmp_path):
    return write_roster(tmp_path / "class.csv", {"ana": "Ana Martin", "bob": "Bob Durand"})


@pytest.fixture
def server(roster, tmp_path):
    with ClassServerProcess(roster, tmp_path / "state", "--stuck-after", "2") as running:
        yield running


def subnet_failing(student_id=None, message=""):
    return report_json(
        course_report({"custom-bridge": {"network-subnet": "failed"}}, student_id, message)
    )


def all_passing(student_id=None):
    return report_json(course_report({"custom-bridge": {}}, student_id))


# -- tokens --------------------------------------------------------------------------------------


def test_first_start_issues_tokens_to_files_never_to_the_terminal(tmp_path):
    roster = write_roster(tmp_path / "class.csv", STUDENTS, extra_columns=True)  # batch's
    state = tmp_path / "state"
    with ClassServerProcess(roster, state) as server:
        tokens = server.tokens()
        assert sorted(tokens) == sorted(STUDENTS)
        ana = tokens["ana"]
        assert ana["name"] == "Ana Martin"
        assert ana["command"] == f"docker-grade watch --class {server.url} --token {ana['token']}"
        assert len({row["token"] for row in tokens.values()}) == 3
        instructor = (state / "instructor.txt").read_text()
        assert f"{server.url}/login" in instructor
        assert (state / "tokens.csv").stat().st_mode & 0o077 == 0
    printed = server.log()
    assert "tokens.csv" in printed
    assert not any(row["token"] in printed for row in tokens.values())
    assert server.instructor_token() not in printed
    # only hashes in the database
    database = (state / "class.sqlite3").read_bytes()
    assert ana["token"].encode() not in database


def test_a_restart_keeps_the_tokens_and_a_new_student_gets_one(tmp_path):
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana"})
    state = tmp_path / "state"
    with ClassServerProcess(roster, state) as server:
        before, instructor = server.tokens(), server.instructor_token()
    write_roster(roster, {"ana": "Ana", "dan": "Dan"})
    with ClassServerProcess(roster, state) as server:
        after = server.tokens()
        assert after["ana"] == before["ana"]
        assert after["dan"]["token"] not in (before["ana"]["token"], instructor)
        assert server.instructor_token() == instructor
        assert server.post_grading("ana", subnet_failing()).status_code == 201
        assert server.post_grading("dan", subnet_failing()).status_code == 201


def test_a_roster_without_ids_is_refused_in_one_line(tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("name,docker_host\nAna,unix:///x\n")
    from support.cli import docker_grade

    run = docker_grade("serve", str(roster), "--state", str(tmp_path / "state"))
    assert run.exit_code == 2
    assert run.stderr.strip().splitlines() == [
        f"docker-grade: {roster}:1: the header lacks student_id"
    ]


def test_batchs_roster_without_names_serves_with_the_ids(tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,docker_host\ns01,unix:///x\ns02,ssh://bob@lab-02\n")
    with ClassServerProcess(roster, tmp_path / "state") as server:
        names = {s["student_id"]: s["name"] for s in server.board()["students"]}
    assert names == {"s01": "s01", "s02": "s02"}


# -- gradings ------------------------------------------------------------------------------------


def test_a_grading_is_stored_once_whatever_the_resends(server):
    body = subnet_failing("ana")
    first = server.post_grading("ana", body, key="g-1")
    assert (first.status_code, first.json()) == (201, {"grading_id": "g-1", "stored": True})
    again = server.post_grading("ana", body, key="g-1")
    assert (again.status_code, again.json()) == (200, {"grading_id": "g-1", "stored": False})
    other = server.post_grading("ana", all_passing(), key="g-1")
    assert other.status_code == 409
    assert "g-1" in other.json()["error"]
    row = server.row("ana")
    assert row["exercises"]["custom-bridge"]["checks"]["network-subnet"] == "failed"
    assert (row["score"], row["max_score"]) == (4.0, 5.0)
    history = httpx.get(
        f"{server.url}/api/students/ana",
        headers={"Authorization": f"Bearer {server.instructor_token()}"},
    ).json()["history"]
    assert len(history) == 1  # the resend did not count


def test_exercises_merge_across_gradings(server):
    server.post_grading("ana", subnet_failing())
    server.post_grading(
        "ana", report_json(course_report({"two-containers-ping": {"a-reaches-b": "failed"}}))
    )
    row = server.row("ana")
    assert set(row["exercises"]) == {"custom-bridge", "two-containers-ping"}
    assert row["max_score"] == 10.0
    board = server.board()
    assert [e["id"] for e in board["exercises"]] == ["two-containers-ping", "custom-bridge"]
    bob = server.row("bob")
    assert (bob["score"], bob["exercises"], bob["last_grading_at"]) == (None, {}, None)


BAD_BODIES = {
    "not JSON": (b"{not json", 400, "not JSON"),
    "not a report": (b'{"hello": 1}', 422, "not a docker-grade report"),
    "a report missing a field": (b'{"exercises": []}', 422, "not a docker-grade report"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_body_that_is_not_a_report_is_refused_and_nothing_stored(server, case):
    body, status, words = BAD_BODIES[case]
    answer = server.post_grading("ana", body)
    assert answer.status_code == status
    assert words in answer.json()["error"]
    assert server.board()["revision"] == 0


def test_a_report_of_an_unknown_exercise_or_check_is_refused(server):
    data = json.loads(subnet_failing())
    data["exercises"][0]["id"] = "my-own-exercise"
    answer = server.post_grading("ana", json.dumps(data))
    assert answer.status_code == 422
    assert "'my-own-exercise' is not one this class server grades" in answer.json()["error"]
    data = json.loads(subnet_failing())
    data["exercises"][0]["checks"][0]["id"] = "made-up"
    answer = server.post_grading("ana", json.dumps(data))
    assert answer.status_code == 422
    assert "no check 'made-up'" in answer.json()["error"]
    assert server.board()["revision"] == 0


def test_another_major_schema_version_is_refused(server):
    data = json.loads(subnet_failing())
    data["schema_version"] = "9.0"
    answer = server.post_grading("ana", json.dumps(data))
    assert answer.status_code == 422
    assert "schema 9.0" in answer.json()["error"]


def test_a_body_over_a_mebibyte_is_refused(server):
    answer = server.post_grading("ana", b" " * (1024 * 1024 + 1))
    assert answer.status_code == 413
    # chunked, without a length announced
    chunks = (b" " * 65536 for _ in range(20))
    answer = httpx.post(
        f"{server.url}/api/gradings",
        content=chunks,
        headers={
            "Authorization": f"Bearer {server.student_token('ana')}",
            "Idempotency-Key": "big",
        },
    )
    assert answer.status_code == 413
    assert server.board()["revision"] == 0


@pytest.mark.parametrize("key", [None, "", "a" * 129, "has space", "a/b"])
def test_a_grading_needs_a_well_formed_grading_id(server, key):
    headers = {"Authorization": f"Bearer {server.student_token('ana')}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    answer = httpx.post(f"{server.url}/api/gradings", content=subnet_failing(), headers=headers)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["error"]


def test_tokens_open_only_their_own_doors(server):
    body = subnet_failing()
    url = f"{server.url}/api/gradings"
    key = {"Idempotency-Key": "k"}
    cases = [
        ({}, 401, "no token"),
        ({"Authorization": "Bearer dgs_wrong"}, 401, "not one of this class's"),
        ({"Authorization": "Basic abc"}, 401, "no token"),
        ({"Authorization": f"Bearer {server.instructor_token()}"}, 403, "instructor's token"),
    ]
    for headers, status, words in cases:
        answer = httpx.post(url, content=body, headers={**headers, **key})
        assert (answer.status_code, words in answer.json()["error"]) == (status, True), headers
    # a student's token on the instructor's endpoints
    student = {"Authorization": f"Bearer {server.student_token('ana')}"}
    for path in ("/api/class", "/api/students/ana", "/api/events"):
        answer = httpx.get(f"{server.url}{path}", headers=student)
        assert answer.status_code == 403, path
    assert httpx.get(f"{server.url}/api/class").status_code == 401
    answer = httpx.post(f"{server.url}/api/students/ana/help/clear", headers=student)
    assert answer.status_code == 403
    # a report naming another student, sent with ana's token
    answer = server.post_grading("ana", subnet_failing("bob"))
    assert answer.status_code == 403
    assert "'bob'" in answer.json()["error"]
    assert server.board()["revision"] == 0


def test_over_twenty_gradings_a_second_are_told_to_wait(server):
    """60 gradings sent at once: about 20 go through, the rest are told when to come back."""
    body = subnet_failing()
    token = server.student_token("ana")

    async def burst():
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"{server.url}/api/gradings",
                        content=body,
                        headers={"Idempotency-Key": uuid.uuid4().hex},
                    )
                    for _ in range(60)
                )
            )

    answers = asyncio.run(burst())
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert all(int(a.headers["Retry-After"]) >= 1 for a in limited)
    assert {a.status_code for a in answers} == {201, 429}
    # bob's token has its own allowance
    assert server.post_grading("bob", body).status_code == 201


def test_the_rate_limit_refills_at_its_rate():
    from grader.classroom.app import RateLimit

    clock = [100.0]
    limit = RateLimit(20.0, clock=lambda: clock[0])
    assert [limit.retry_after("t") for _ in range(20)] == [0.0] * 20
    assert limit.retry_after("t") == pytest.approx(0.05)
    assert limit.retry_after("other") == 0.0
    clock[0] += 0.5  # half a second: 10 more
    assert [limit.retry_after("t") == 0.0 for _ in range(11)] == [True] * 10 + [False]


def test_unknown_paths_and_methods_answer_json(server):
    answer = httpx.get(f"{server.url}/api/nothing")
    assert answer.status_code == 404
    assert "error" in answer.json()
    answer = httpx.get(f"{server.url}/api/gradings")
    assert answer.status_code == 405


# -- help, stuck, the room --------------------------------------------------------------------


def test_help_is_raised_by_the_student_and_cleared_by_the_instructor(server):
    server.post_grading("bob", all_passing())
    token = server.student_token("bob")
    answer = httpx.post(
        f"{server.url}/api/help", json={"help": True}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.json() == {"help": True}
    board = server.board()
    assert board["students"][0]["student_id"] == "bob"  # on top
    assert board["students"][0]["help"] is True
    bad = httpx.post(
        f"{server.url}/api/help", json={"help": "yes"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 400
    cleared = httpx.post(
        f"{server.url}/api/students/bob/help/clear",
        headers={"Authorization": f"Bearer {server.instructor_token()}"},
    )
    assert cleared.json() == {"help": False}
    assert server.row("bob")["help"] is False


def test_a_student_whose_first_failing_check_stays_is_flagged_stuck(server):
    server.post_grading("ana", subnet_failing())
    server.post_grading("bob", subnet_failing())
    assert server.row("ana")["stuck_since"] is None  # --stuck-after 2
    time.sleep(1.0)
    # bob moves on: his first failing check changes
    server.post_grading(
        "bob", report_json(course_report({"custom-bridge": {"container-attached": "failed"}}))
    )
    time.sleep(1.5)
    board = server.board()
    ana = next(s for s in board["students"] if s["student_id"] == "ana")
    bob = next(s for s in board["students"] if s["student_id"] == "bob")
    assert ana["stuck_on"] == {"exercise": "custom-bridge", "check": "network-subnet"}
    assert ana["stuck_since"] is not None
    assert bob["stuck_since"] is None
    assert board["students"][0]["student_id"] == "ana"
    # the same failing check sent again: still stuck, since the first time
    server.post_grading("ana", subnet_failing())
    assert server.row("ana")["stuck_since"] == ana["stuck_since"]
    # fixed: no longer stuck
    server.post_grading("ana", all_passing())
    assert server.row("ana")["stuck_since"] is None


def test_the_room_counts_who_fails_each_check_with_its_hint_in_the_boards_language(server):
    server.post_grading("ana", subnet_failing())
    server.post_grading("bob", subnet_failing())
    answer = httpx.get(
        f"{server.url}/api/class",
        headers={
            "Authorization": f"Bearer {server.instructor_token()}",
            "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8",
        },
    ).json()
    first = answer["room"][0]
    assert (first["exercise"], first["check"], first["students"]) == (
        "custom-bridge",
        "network-subnet",
        2,
    )
    assert sorted(first["who"]) == ["ana", "bob"]
    assert first["hint"].startswith("La longueur du préfixe") or "préfixe" in first["hint"]
    assert answer["lang"] == "fr"


def test_the_students_page_data_has_the_short_report_and_the_history(server):
    server.post_grading("ana", subnet_failing(message="the subnet is 10.0.0.0/8"))
    server.post_grading("ana", all_passing())
    data = httpx.get(
        f"{server.url}/api/students/ana",
        headers={"Authorization": f"Bearer {server.instructor_token()}"},
    ).json()
    assert [point["score"] for point in data["history"]] == [4.0, 5.0]
    assert "custom-bridge" in data["text"] and "Total: 5 / 5" in data["text"]
    missing = httpx.get(
        f"{server.url}/api/students/nobody",
        headers={"Authorization": f"Bearer {server.instructor_token()}"},
    )
    assert missing.status_code == 404


# -- the instructor's login ----------------------------------------------------------------------


def test_the_board_needs_a_login_by_form_and_a_strict_cookie(server):
    page = httpx.get(f"{server.url}/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")
    wrong = httpx.post(f"{server.url}/login", data={"token": "nope"})
    assert wrong.status_code == 401
    answer = httpx.post(
        f"{server.url}/login", data={"token": server.instructor_token()}, follow_redirects=False
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert server.instructor_token() not in cookie
    session = answer.cookies
    with httpx.Client(cookies=session) as browser:
        board = browser.get(f"{server.url}/")
        assert board.status_code == 200
        assert "script-src 'self'" in board.headers["content-security-policy"]
        assert board.headers["x-content-type-options"] == "nosniff"
        assert browser.get(f"{server.url}/api/class").status_code == 200
        browser.post(f"{server.url}/logout")
    with httpx.Client(cookies=session) as after_logout:  # the old cookie, kept by an attacker
        assert after_logout.get(f"{server.url}/api/class").status_code == 401


def test_an_open_board_hears_of_a_grading_within_a_second(server):
    delay = first_event_after(server, lambda: server.post_grading("ana", subnet_failing()))
    assert delay < 1.0, delay


# -- faults ------------------------------------------------------------------------------------


def test_a_server_killed_with_sigkill_keeps_every_grading_it_acknowledged(roster, tmp_path):
    state = tmp_path / "state"
    server = ClassServerProcess(roster, state).start()
    acknowledged = []
    try:
        for number in range(30):
            key = f"grading-{number}"
            answer = server.post_grading("ana" if number % 2 else "bob", subnet_failing(), key)
            if answer.status_code == 201:
                acknowledged.append(key)
        server.kill()
        server = ClassServerProcess(roster, state, port=server.port).start()
        token = server.instructor_token()
        history = {
            student: httpx.get(
                f"{server.url}/api/students/{student}",
                headers={"Authorization": f"Bearer {token}"},
            ).json()["history"]
            for student in ("ana", "bob")
        }
        assert sum(len(points) for points in history.values()) == len(acknowledged) == 30
        # and a resend of an acknowledged grading is known
        again = server.post_grading("bob", subnet_failing(), "grading-0")
        assert (again.status_code, again.json()["stored"]) == (200, False)
    finally:
        server.stop()
