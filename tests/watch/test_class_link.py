"""``watch --class``: the queue on disk and its sender, against a class server double on a
loopback port (tests/support/class_double.py); last, ``docker-grade watch --class`` on the
real engine."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from grader.report.models import Report
from grader.watch.class_link import (
    GRADING,
    HELP,
    ClassLink,
    LinkStatus,
    Outbox,
    SendingView,
    queue_folder,
)
from grader.watch.views import Board, JsonLines
from grader.watch.watcher import Update
from support.class_double import ClassDouble
from support.cli import EXECUTABLE, docker_grade
from support.reports import sample_report
from support.watching import WatchProcess, statuses

ROOT = Path(__file__).resolve().parents[2]


def _report(n: int) -> Report:
    """A report told apart by its duration."""
    return sample_report().model_copy(update={"duration_s": float(n)})


def _durations(received) -> list[float]:
    return [r.json()["duration_s"] for r in received]


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.02)


@pytest.fixture
def server():
    with ClassDouble(token="T") as double:
        yield double


def test_gradings_arrive_oldest_first_as_check_writes_them(server, tmp_path):
    link = ClassLink(server.url, "T", folder=tmp_path)
    sent = [_report(n) for n in (1, 2, 3)]
    items = [link.send(report) for report in sent]  # queued before the sender starts
    assert len(list(tmp_path.glob("*.json"))) == 3

    with link:
        requests = server.wait_for(lambda r: len(r) == 3)
        assert link.wait_idle(5)

    assert [r.body for r in requests] == [report.model_dump_json().encode() for report in sent]
    assert [r.key for r in requests] == [item.key for item in items]
    assert all(r.headers["authorization"] == "Bearer T" for r in requests)
    assert all(r.status == 201 and r.path == "/api/gradings" for r in requests)
    assert list(tmp_path.glob("*.json")) == []
    status = link.status()
    assert (status.state, status.waiting, status.sent) == ("up-to-date", 0, 3)
    assert status.text("en") == "class: up to date"
    assert status.text("fr") == "classe : à jour"


def test_a_server_down_then_up_gets_everything_with_the_same_keys(tmp_path):
    server = ClassDouble(token="T")  # not started: connection refused
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        items = [link.send(_report(n)) for n in (1, 2)]
        _wait(lambda: link.status().problem is not None)
        status = link.status()
        assert status.state == "waiting" and status.waiting == 2
        assert status.text("en") == (
            "class: 2 gradings waiting: server unreachable (connection refused)"
        )
        assert status.text("fr") == (
            "classe : 2 corrections en attente : serveur injoignable (connexion refusée)"
        )
        time.sleep(1.0)  # a few tries in vain
        assert len(list(tmp_path.glob("*.json"))) == 2

        with server:
            server.answer(503)  # the first try after the restart fails too
            requests = server.wait_for(lambda r: len(server.gradings(201)) == 2, timeout=15)
            assert link.wait_idle(5)

    assert [r.status for r in requests] == [503, 201, 201]
    assert [r.key for r in requests] == [items[0].key, items[0].key, items[1].key]
    assert _durations(requests) == [1.0, 1.0, 2.0]
    assert link.status().text("en") == "class: up to date"


def test_a_resend_of_a_stored_grading_is_harmless(server, tmp_path):
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        item = link.send(_report(1))
        server.wait_for(lambda r: len(r) == 1)
        assert link.wait_idle(5)
        # as if the process had died after the POST, before removing the file
        link.outbox.put(GRADING, _report(1).model_dump_json().encode(), key=item.key)
        link._wake.set()
        requests = server.wait_for(lambda r: len(r) == 2)
        _wait(lambda: link.status().state == "up-to-date")

    assert [r.status for r in requests] == [201, 200]
    assert requests[0].key == requests[1].key and len(server.stored) == 1


def test_nothing_is_lost_across_a_process_restart(tmp_path):
    server = ClassDouble(token="T")
    cache = tmp_path / "cache"
    script = (
        "import sys, time\n"
        "from grader.watch.class_link import ClassLink\n"
        "from support.reports import sample_report\n"
        "link = ClassLink(sys.argv[1], 'T').start()\n"
        "for n in (1, 2, 3):\n"
        "    link.send(sample_report().model_copy(update={'duration_s': float(n)}))\n"
        "time.sleep(0.5)\n"
        "print(link.status().text('en'))\n"
    )
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
    }
    ran = subprocess.run(
        [sys.executable, "-c", script, server.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == (
        "class: 3 gradings waiting: server unreachable (connection refused)"
    )
    folder = queue_folder(server.url, "T", cache_home=cache)
    keys = [item.key for item in Outbox(folder).items()]
    assert len(keys) == 3

    with server, ClassLink(server.url, "T", folder=folder) as link:
        requests = server.wait_for(lambda r: len(r) == 3)
        assert link.wait_idle(5)

    assert [r.key for r in requests] == keys
    assert _durations(requests) == [1.0, 2.0, 3.0]
    assert Outbox(folder).items() == []


def test_a_refused_token_stops_sending_and_keeps_the_queue(server, tmp_path):
    with ClassLink(server.url, "wrong", folder=tmp_path) as link:
        link.send(_report(1))
        link.send(_report(2))
        server.wait_for(lambda r: len(r) == 1)
        _wait(lambda: link.status().state == "token-refused")
        time.sleep(1.0)
        link.send(_report(3))  # a later grading is queued, not sent
        time.sleep(0.5)
        status = link.status()

    assert [r.status for r in server.requests] == [401]
    assert len(list(tmp_path.glob("*.json"))) == 3
    assert status.waiting == 3
    assert status.text("en") == (
        "class: token refused (401): nothing is sent; check --token, 3 gradings kept"
    )
    assert status.text("fr").startswith("classe : jeton refusé (401)")


def test_an_instructor_token_is_refused_too(server, tmp_path):
    server.answer(403)
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        link.send(_report(1))
        _wait(lambda: link.status().state == "token-refused")
        assert "token refused (403)" in link.status().text("en")


@pytest.mark.parametrize("code", [409, 422, 413, 400])
def test_a_refused_grading_is_dropped_and_said_once(server, tmp_path, code):
    server.answer(code, body={"error": "the server says why"})
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        link.send(_report(1))
        link.send(_report(2))
        requests = server.wait_for(lambda r: len(r) == 2)
        _wait(lambda: link.status().state == "up-to-date")
        status = link.status()

    assert [r.status for r in requests] == [code, 201]
    assert _durations(requests) == [1.0, 2.0]
    assert list(tmp_path.glob("*.json")) == []
    assert status.sent == 1
    assert status.text("en") == (
        f"class: up to date · a grading was refused ({code}): the server says why"
    )
    assert f"une correction a été refusée ({code})" in status.text("fr")


def test_too_many_requests_waits_as_retry_after_says(server, tmp_path):
    server.answer(429, headers={"Retry-After": "2"})
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        link.send(_report(1))
        server.wait_for(lambda r: len(r) == 1)
        _wait(lambda: link.status().problem is not None)
        assert link.status().text("en") == (
            "class: 1 grading waiting: server busy, next try in 2 s"
        )
        requests = server.wait_for(lambda r: len(r) == 2)
        _wait(lambda: link.status().state == "up-to-date")

    assert [r.status for r in requests] == [429, 201]
    assert requests[0].key == requests[1].key
    assert 1.9 <= requests[1].at - requests[0].at < 4


def test_server_errors_are_tried_again_at_most_5_s_apart(server, tmp_path):
    for _ in range(5):
        server.answer(503)
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        link.send(_report(1))
        requests = server.wait_for(lambda r: len(r) == 6, timeout=30)

    gaps = [b.at - a.at for a, b in zip(requests, requests[1:])]
    assert [r.status for r in requests] == [503] * 5 + [201]
    assert all(gap <= 5.5 for gap in gaps), gaps
    assert gaps[0] < 1.0 < gaps[-1]  # the waits grow, and stay bounded


def test_help_requests_are_queued_in_order_with_the_gradings(tmp_path):
    server = ClassDouble(token="T")
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        link.send(_report(1))
        assert link.toggle_help() is True
        link.send(_report(2))
        _wait(lambda: link.status().problem is not None)
        assert link.status().text("en") == (
            "class: 2 gradings waiting, help request waiting: "
            "server unreachable (connection refused) · help asked"
        )
        assert link.status().text("fr").endswith(" · aide demandée")
        assert link.toggle_help() is False
        assert [item.kind for item in link.outbox.items()] == [GRADING, HELP, GRADING, HELP]

        with server:
            requests = server.wait_for(lambda r: len(r) == 4)
            assert link.wait_idle(5)

    assert [r.path for r in requests] == [
        "/api/gradings",
        "/api/help",
        "/api/gradings",
        "/api/help",
    ]
    assert [r.json() for r in requests if r.path == "/api/help"] == [
        {"help": True},
        {"help": False},
    ]
    assert all(r.status in (200, 201) for r in requests)
    assert server.help is False and link.status().help is False
    assert link.status().text("en") == "class: up to date"


def test_the_queue_keeps_the_newest(tmp_path):
    outbox = Outbox(tmp_path, limit=3)
    keys = [outbox.put(GRADING, b"{}").key for _ in range(5)]

    assert [item.key for item in outbox.items()] == keys[2:]
    assert [item.number for item in outbox.items()] == [3, 4, 5]


def test_one_queue_per_server_and_token(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = queue_folder("https://class.example/", "A")

    assert first.parent == tmp_path / "docker-grade" / "class"
    assert first == queue_folder("https://class.example", "A")
    assert first != queue_folder("https://class.example", "B")
    assert first != queue_folder("https://other.example", "A")


def test_the_views_say_the_links_status(server, tmp_path):
    with ClassLink(server.url, "T", folder=tmp_path) as link:
        report = _report(1)
        update = Update(
            at=0.0,
            triggers=[],
            graded=report.exercises,
            results={e.id: e for e in report.exercises},
            focus=None,
            report=report,
        )
        out = io.StringIO()
        SendingView(JsonLines(out, link=link), link)(update)
        server.wait_for(lambda r: len(r) == 1)
        _wait(lambda: link.status().state == "up-to-date")
        JsonLines(out, link=link)(update)
        console = Console(file=io.StringIO(), width=80, force_terminal=False, no_color=True)
        Board(lang="fr", order=["custom-bridge"], console=console, link=link)(update)

    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["class"]["state"] == "waiting" and first["class"]["waiting"] == 1
    assert second["class"] == {
        "state": "up-to-date",
        "waiting": 0,
        "help_waiting": 0,
        "help": False,
        "problem": None,
        "refused": None,
        "sent": 1,
        "text": "class: up to date",
    }
    assert Report.model_validate_json(server.requests[0].body) == report
    assert "classe : à jour" in console.file.getvalue()


def test_status_lines_in_both_languages():
    one = LinkStatus(state="waiting", waiting=1, help_waiting=0, help=True)
    help_only = LinkStatus(state="waiting", waiting=0, help_waiting=1, help=True)

    assert one.text("en") == "class: 1 grading waiting · help asked"
    assert one.text("fr") == "classe : 1 correction en attente · aide demandée"
    assert help_only.text("en") == "class: help request waiting · help asked"
    assert help_only.text("fr") == "classe : demande d'aide en attente · aide demandée"


def test_a_tls_server_is_checked_with_the_class_ca(tmp_path):
    from support.tls import certificates

    ca, cert, key = certificates(tmp_path)
    server = ClassDouble(token="T", tls=(cert, key))
    with server:
        assert server.url.startswith("https://")
        with ClassLink(server.url, "T", folder=tmp_path / "q1") as untrusting:
            untrusting.send(_report(1))
            _wait(lambda: untrusting.status().problem is not None)
            assert "certificate not trusted" in untrusting.status().text("en")
        with ClassLink(server.url, "T", ca=ca, folder=tmp_path / "q1") as trusting:
            requests = server.wait_for(lambda r: len(r) == 1)
            assert trusting.wait_idle(5)

    assert requests[0].status == 201 and _durations(requests) == [1.0]


def test_watch_sends_each_grading_to_the_class_server(student, tmp_path, server):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ("custom-bridge", "--class", server.url, "--token", "T")
    with WatchProcess(*args, cwd=tmp_path, env=env) as watch:
        first = watch.wait_for(lambda u: statuses(u, "custom-bridge") is not None)
        assert first["class"]["state"] in ("waiting", "up-to-date")
        server.wait_for(lambda r: len(server.gradings(201)) >= 1, timeout=20)
        before = server.gradings(201)[-1].json()
        bridge = next(e for e in before["exercises"] if e["id"] == "custom-bridge")
        assert bridge["score"] < bridge["max_score"]
        seen, posted = len(watch.updates), len(server.requests)

        student.network("mybridge", subnet="192.168.0.0/24")  # docker network create ...

        watch.wait_for(
            lambda u: (statuses(u, "custom-bridge") or {}).get("network-subnet") == "passed",
            after=seen,
        )

        def bridge_score(received):
            report = received.json()
            return next(e["score"] for e in report["exercises"] if e["id"] == "custom-bridge")

        requests = server.wait_for(
            lambda r: any(
                x.status == 201 and bridge_score(x) > bridge["score"] for x in r[posted:]
            ),
            timeout=20,
        )
        after = next(x for x in requests[posted:] if bridge_score(x) > bridge["score"])
        Report.model_validate_json(after.body)
        assert after.headers["authorization"] == "Bearer T"
        assert len({r.key for r in server.gradings()}) == len(server.gradings())
        # a later line says the class server has it
        watch.wait_for(lambda u: u["class"]["sent"] >= 2, after=seen, timeout=15)
        code, took = watch.stop()

    assert code == 0 and took < 1.5, (code, took, watch.stderr)
    assert "Traceback" not in watch.stderr


def test_a_wrong_token_is_one_line_and_the_watch_goes_on(student, tmp_path, server):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ("custom-bridge", "--class", server.url, "--token", "wrong")
    with WatchProcess(*args, cwd=tmp_path, env=env) as watch:
        refused = watch.wait_for(lambda u: u["class"]["state"] == "token-refused", timeout=20)
        assert refused["class"]["text"].startswith("class: token refused (401)")
        seen = len(watch.updates)
        student.network("mybridge", subnet="192.168.0.0/24")
        watch.wait_for(
            lambda u: (statuses(u, "custom-bridge") or {}).get("network-subnet") == "passed",
            after=seen,
        )
        code, _ = watch.stop()

    assert code == 0 and "Traceback" not in watch.stderr, watch.stderr
    assert [r.status for r in server.requests] == [401]  # sending stopped at the first
    assert len(list((tmp_path / "cache").rglob("*-gradings-*.json"))) >= 2  # kept


def test_class_needs_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DOCKER_GRADE_TOKEN"}
    run = docker_grade("watch", "--class", "http://127.0.0.1:9", cwd=tmp_path, env=env)

    assert run.exit_code == 2 and "--class needs --token" in run.stderr


def test_h_in_the_terminal_asks_for_help_and_withdraws_it(student, tmp_path, server):
    session = f"dg-class-{tmp_path.name}"[:40]
    # tmux's server may be older than this test: the environment is given explicitly
    values = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    values.update({k: os.environ[k] for k in ("PYTHONPATH", "DOCKER_HOST") if k in os.environ})
    command = shlex.join(
        ["env", *(f"{k}={v}" for k, v in values.items()), EXECUTABLE, "watch", "custom-bridge"]
        + ["--lang", "en", "--class", server.url, "--token", "T"]
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", str(tmp_path)]
        + [command],
        check=True,
    )
    try:
        screen = _screen(session, lambda text: "class: up to date" in text)
        assert "h: ask for help" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "h"], check=True)
        server.wait_for(lambda r: any(x.path == "/api/help" for x in r))
        screen = _screen(session, lambda text: "help asked" in text)
        assert server.help is True
        subprocess.run(["tmux", "send-keys", "-t", session, "h"], check=True)
        server.wait_for(lambda r: len([x for x in r if x.path == "/api/help"]) == 2)
        _screen(session, lambda text: "help asked" not in text and "class: up to" in text)
        assert server.help is False
        assert all(len(line) <= 80 for line in screen.splitlines())
        subprocess.run(["tmux", "send-keys", "-t", session, "C-c"], check=True)
        _wait(
            lambda: (
                subprocess.run(
                    ["tmux", "has-session", "-t", session], capture_output=True
                ).returncode
                != 0
            ),
            5,
        )
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    helps = [r.json() for r in server.requests if r.path == "/api/help"]
    assert helps == [{"help": True}, {"help": False}]


def _screen(session: str, ready, timeout: float = 20.0) -> str:
    text = ""

    def captured() -> bool:
        nonlocal text
        text = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout
        return ready(text)

    try:
        _wait(captured, timeout)
    except AssertionError:
        raise AssertionError(f"not on the screen within {timeout:g} s:\n{text}") from None
    return text
