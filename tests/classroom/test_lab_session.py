"""A lab session end to end: a real ``serve``, two students' ``watch --class``, each on their
own Docker engine (a network namespace each), and the board in real headless Chromium.

A course step on one engine (``docker network create``) reaches the open board within 2 s,
and the other student's row does not move. Then the server is killed (SIGKILL) while a
student keeps working: their watch queues the gradings, and the board has them once the
server is back.
"""

from __future__ import annotations

import os
import time

from support.class_server import ClassServerProcess, write_roster
from support.watching import WatchProcess

BOARD_WITHIN_S = 2.0


def cell(page, student: str, exercise: str) -> str:
    return page.locator(
        f'tr[data-student="{student}"] button[data-exercise="{exercise}"]'
    ).inner_text()


def row_text(page, student: str) -> str:
    return page.locator(f'tr[data-student="{student}"]').inner_text()


def wait_for_cell(page, student: str, exercise: str, predicate, timeout: float) -> float:
    """Polls the board as a person reads it; returns when ``predicate(text)`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        text = cell(page, student, exercise)
        if predicate(text):
            return time.monotonic()
        assert time.monotonic() < deadline, f"{student}'s {exercise} still shows {text!r}"
        time.sleep(0.05)


def watch_for(engine, server, student: str, tmp_path) -> WatchProcess:
    env = {
        **os.environ,
        "DOCKER_HOST": engine.docker_host,
        "XDG_CACHE_HOME": str(tmp_path / f"cache-{student}"),
        "DOCKER_GRADE_CLASS": server.url,
        "DOCKER_GRADE_TOKEN": server.student_token(student),
    }
    folder = tmp_path / student
    folder.mkdir()
    return WatchProcess("custom-bridge", cwd=folder, env=env)


def test_a_class_at_work_on_the_board(class_engines, browser_page, tmp_path):
    ana_engine, bob_engine = class_engines[0], class_engines[1]
    roster = write_roster(tmp_path / "class.csv", {"ana": "Ana Martin", "bob": "Bob Durand"})
    server = ClassServerProcess(roster, tmp_path / "state").start()
    page = browser_page.page
    networks = []
    try:
        with (
            watch_for(ana_engine, server, "ana", tmp_path) as ana,
            watch_for(bob_engine, server, "bob", tmp_path) as bob,
        ):
            page.goto(f"{server.url}/login")
            page.fill("#token", server.instructor_token())
            page.click("form.login-form button[type=submit]")
            page.wait_for_selector('tr[data-student="ana"] button[data-exercise="custom-bridge"]')
            # both students' first gradings: nothing done yet
            for student in ("ana", "bob"):
                wait_for_cell(page, student, "custom-bridge", lambda t: t == "0/5", 20)
            bob_before = row_text(page, "bob")

            client = ana_engine.client()
            began = time.monotonic()
            networks.append(_network(client, "mybridge", "192.168.0.0/24"))
            seen = wait_for_cell(page, "ana", "custom-bridge", lambda t: t != "0/5", 10)
            print(f"the board showed ana's step {seen - began:.2f} s after it was made")
            assert seen - began <= BOARD_WITHIN_S, seen - began
            assert cell(page, "ana", "custom-bridge").startswith(("3/5", "4/5"))
            assert row_text(page, "bob") == bob_before
            client.close()
            browser_page.assert_clean()  # the outage below makes the browser log its retries

            # the server killed; bob keeps working and his watch keeps the gradings
            server.kill()
            bob_client = bob_engine.client()
            networks.append(_network(bob_client, "mybridge", "192.168.0.0/24"))
            queued = bob.wait_for(lambda u: u["class"]["waiting"] >= 1, timeout=20)
            server = ClassServerProcess(roster, tmp_path / "state", port=server.port).start()
            # the open board reconnects to its event stream by itself
            wait_for_cell(page, "bob", "custom-bridge", lambda t: t != "0/5", 20)
            # and bob's watch says its queue went through
            bob.wait_for(lambda u: u["class"]["sent"] > queued["class"]["sent"], timeout=30)
            bob_client.close()
            assert "Traceback" not in ana.stderr + bob.stderr
    finally:
        server.stop()
        for network in networks:
            network.remove()


def _network(client, name: str, subnet: str):
    """``docker network create --driver=bridge --subnet=SUBNET NAME``."""
    import docker

    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
    return client.networks.create(name, driver="bridge", ipam=ipam)
