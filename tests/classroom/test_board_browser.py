"""The board in real headless Chromium (1366×768), against a server on a loopback port: the
pages of grader.classroom.pages over a stand-in for the API (support.board_double) whose data
the test sets. Everything is read from what the person sees (inner_text), and every test ends
with no console error, no CSP violation and no dialog."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from support.board_double import (
    TOKEN,
    BoardDouble,
    class_board,
    exercise,
    serve_double,
    statuses_of,
    student,
)

HOSTILE = "<img src=x onerror=alert(1)>"
ROOT = Path(__file__).resolve().parents[2]


def small_class(lang="en") -> tuple[dict, dict]:
    bridge = exercise(
        "custom-bridge",
        "A bridge network with a chosen subnet",
        [
            ("network-exists", "the network exists", 1),
            ("network-driver", "its driver is bridge", 1),
            ("network-subnet", "it has exactly the subnet asked for", 1),
            ("container-attached", "a running alpine container is attached to it", 1),
            ("container-detached-tty", "that container runs detached, with a TTY", 1),
        ],
    )
    save = exercise(
        "image-save",
        "Export an image as a tar archive",
        [
            ("archive-exists", "the archive exists and is a tar file", 1),
            ("archive-valid", "it is a complete image archive", 1),
            ("archive-tagged", "it carries the tag mine/node:latest", 1),
            ("archive-matches-image", "its layers are those of the local mine/node", 1),
        ],
    )
    exercises = [bridge, save]
    students = [
        student(
            "cy",
            "Cy",
            exercises,
            {"custom-bridge": statuses_of(bridge, 2)},
            help=True,
            help_since="2026-12-06T10:12:00+00:00",
            stuck_since="2026-12-06T10:05:00+00:00",
            stuck_on={"exercise": "custom-bridge", "check": "network-subnet"},
        ),
        student(
            "ana",
            "Ana",
            exercises,
            {"custom-bridge": statuses_of(bridge, 5), "image-save": statuses_of(save, 1)},
        ),
        student("bo", "Bo", exercises, None),
    ]
    room = [
        {
            "exercise": "custom-bridge",
            "check": "network-subnet",
            "title": "it has exactly the subnet asked for",
            "students": 2,
            "who": ["cy", "ana"],
            "hint": "The prefix length matters: /24 is not /16.",
        },
        {
            "exercise": "image-save",
            "check": "archive-valid",
            "title": "it is a complete image archive",
            "students": 1,
            "who": ["ana"],
            "hint": "Save the image with docker save -o.",
        },
        {
            "exercise": "custom-bridge",
            "check": "container-attached",
            "title": "a running alpine container is attached to it",
            "students": 1,
            "who": ["cy"],
            "hint": "docker run --network mybridge.",
        },
        {
            "exercise": "image-save",
            "check": "archive-tagged",
            "title": "it carries the tag",
            "students": 1,
            "who": ["ana"],
            "hint": "A fourth one, not shown.",
        },
    ]
    details = {
        "ana": {
            "text": "custom-bridge  5/5\nimage-save     1/4\n  ✗ archive-valid: truncated",
            "history": [
                {"at": "2026-12-06T10:00:00+00:00", "score": 0, "max_score": 9},
                {"at": "2026-12-06T10:04:00+00:00", "score": 2, "max_score": 9},
                {"at": "2026-12-06T10:09:00+00:00", "score": 5, "max_score": 9},
                {"at": "2026-12-06T10:20:00+00:00", "score": 6, "max_score": 9},
            ],
        }
    }
    return class_board(exercises, students, room, lang=lang), details


@pytest.fixture
def board(browser_page):  # noqa: F811 (the fixture imported above)
    """Starts a double with the given data, logs in through the login page, opens ``path``."""
    stack = ExitStack()
    page = browser_page.page

    def open_board(class_data, details=None, *, lang="en", path="/"):
        double = BoardDouble(class_data, details, lang=lang)
        url = stack.enter_context(serve_double(double))
        page.goto(f"{url}/")
        assert page.url == f"{url}/login"  # the pages need the instructor's session
        page.fill("#token", TOKEN)
        page.click("form.login-form button[type=submit]")
        page.wait_for_url(f"{url}/")
        assert "token" not in page.url.lower() and TOKEN not in page.url
        if path != "/":
            page.goto(f"{url}{path}")
        else:
            page.wait_for_selector("#grid-body tr.student")
        return double, url

    yield open_board
    page.goto("about:blank")  # the event stream ends before the server does
    stack.close()


def rows(page) -> list[list[str]]:
    """The grid as the person reads it: per student row, each cell's text."""
    return [
        [cell.inner_text().strip() for cell in row.locator("th, td").all()]
        for row in page.locator("#grid-body tr.student").all()
    ]


def test_the_grid_shows_students_and_cells_as_the_api_says(board, browser_page):
    double, url = board(small_class()[0])
    page = browser_page.page
    head = [th.inner_text().strip() for th in page.locator("#grid-head th").all()]
    assert head == ["Student", "Total", "custom-bridge", "image-save"]
    grid = rows(page)
    assert [row[0].splitlines()[0] for row in grid] == ["Cy", "Ana", "Bo"]  # the server's order
    assert [row[1:] for row in grid] == [
        ["2/5", "2/5", "–"],
        ["6/9", "5/5", "1/4"],
        ["–", "–", "–"],
    ]
    assert "asks for help since 10:12" in grid[0][0]
    assert "stuck since 10:05 (on custom-bridge/network-subnet)" in grid[0][0]
    assert "stuck" not in grid[1][0] and "help" not in grid[1][0]

    def cell(student_id, exercise_id):
        return page.locator(
            f'tr[data-student="{student_id}"] button[data-exercise="{exercise_id}"]'
        )

    colours = {
        (s, e): cell(s, e).get_attribute("class").split()[1]
        for s in ("cy", "ana", "bo")
        for e in ("custom-bridge", "image-save")
    }
    assert colours == {
        ("cy", "custom-bridge"): "cell-some",
        ("cy", "image-save"): "cell-none",
        ("ana", "custom-bridge"): "cell-pass",
        ("ana", "image-save"): "cell-some",
        ("bo", "custom-bridge"): "cell-none",
        ("bo", "image-save"): "cell-none",
    }
    # the colours the person sees differ: green, red, grey
    backgrounds = {
        name: cell(s, e).evaluate("node => getComputedStyle(node).backgroundColor")
        for name, (s, e) in {
            "pass": ("ana", "custom-bridge"),
            "some": ("cy", "custom-bridge"),
            "none": ("bo", "image-save"),
        }.items()
    }
    assert len(set(backgrounds.values())) == 3, backgrounds

    # the statuses on hover (title), then on a click as an expandable detail
    title = cell("cy", "custom-bridge").get_attribute("title")
    assert title.splitlines() == [
        "A bridge network with a chosen subnet",
        "✓ the network exists: passed",
        "✓ its driver is bridge: passed",
        "✗ it has exactly the subnet asked for: failed",
        "· a running alpine container is attached to it: waits on another check",
        "· that container runs detached, with a TTY: waits on another check",
    ]
    cell("cy", "custom-bridge").click()
    detail = page.locator("#grid-body tr.detail")
    assert "Cy · A bridge network with a chosen subnet · 2/5" in detail.inner_text()
    checks = [li.inner_text().split("\n") for li in detail.locator("li").all()]
    assert [" ".join(c) for c in checks][2].replace("\t", " ").split() == (
        "✗ it has exactly the subnet asked for failed".split()
    )
    assert len(checks) == 5
    assert cell("cy", "custom-bridge").get_attribute("aria-expanded") == "true"
    detail.locator("button.close").click()
    assert page.locator("#grid-body tr.detail").count() == 0

    # the name links to the student's page
    link = page.locator('tr[data-student="ana"] a.name')
    assert link.get_attribute("href") == "/students/ana"
    browser_page.assert_clean()


def test_explain_to_the_room_shows_three_and_who_on_a_click(board, browser_page):
    board(small_class()[0])
    page = browser_page.page
    items = page.locator("#room-list > li")
    assert items.count() == 3
    first = items.nth(0).inner_text()
    assert "it has exactly the subnet asked for" in first
    assert "2 students" in first and "The prefix length matters: /24 is not /16." in first
    assert "1 student" in items.nth(1).inner_text()
    assert page.locator("#room-more").inner_text() == "and 1 more failing check"
    assert "Cy" not in first
    items.nth(0).locator("button.who").click()
    names = page.locator('#room-list > li[data-check="custom-bridge/network-subnet"] .room-names')
    assert names.inner_text().split("\n") == ["Cy", "Ana"]
    page.locator('#room-list > li[data-check="custom-bridge/network-subnet"] button.who').click()
    assert names.count() == 0
    browser_page.assert_clean()


def test_a_change_reaches_the_open_board_within_a_second(board, browser_page):
    double, url = board(small_class()[0])
    page = browser_page.page
    loads = double.requests.count(("GET", "/"))

    def bo_grades(class_data, details):
        row = next(s for s in class_data["students"] if s["student_id"] == "bo")
        row.update(score=3.0, max_score=9.0)
        row["exercises"] = {
            "custom-bridge": {
                "score": 3.0,
                "max_score": 5.0,
                "checks": {"network-exists": "passed"},
            }
        }

    double.update(bo_grades)
    start = time.monotonic()
    page.wait_for_function(
        """() => {
          const row = document.querySelector('tr[data-student="bo"]');
          return row && row.querySelector('.col-total').innerText === '3/9';
        }""",
        timeout=1000,
    )
    assert time.monotonic() - start < 1.0
    assert rows(page)[2][1:] == ["3/9", "3/5", "–"]
    assert double.requests.count(("GET", "/")) == loads  # no reload
    browser_page.assert_clean()


def test_a_dropped_event_stream_comes_back_and_the_board_fetches_again(board, browser_page):
    double, url = board(small_class()[0])
    page = browser_page.page

    def rename(class_data, details):
        class_data["students"][2]["name"] = "Bo (renamed)"

    # a change no event announces, the stream dropped: only a fetch after reconnecting shows it
    double.update(rename, announce=False)
    page.wait_for_function(
        """() => document.querySelector('tr[data-student="bo"] a.name').innerText
                 === 'Bo (renamed)'""",
        timeout=5000,
    )
    assert double.requests.count(("GET", "/api/events")) >= 2
    # and the new stream carries the next change
    double.update(lambda c, d: c["students"][2].update(name="Bo again"))
    page.wait_for_function(
        """() => document.querySelector('tr[data-student="bo"] a.name').innerText
                 === 'Bo again'""",
        timeout=1000,
    )
    browser_page.assert_clean()


def test_student_text_is_shown_as_text_never_as_html(board, browser_page):
    class_data, details = small_class()
    hostile = class_data["students"][2]
    hostile.update(name=HOSTILE, student_id="x<img>", help=True)
    hostile["stuck_since"] = "2026-12-06T10:00:00+00:00"
    hostile["stuck_on"] = {"exercise": HOSTILE, "check": HOSTILE}
    class_data["room"][0].update(hint=HOSTILE, title=HOSTILE, who=["x<img>"])
    class_data["exercises"][0]["checks"][0]["title"] = HOSTILE
    details["x<img>"] = {
        "text": f"custom-bridge 0/5\n  ✗ {HOSTILE}",
        "history": [{"at": "2026-12-06T10:00:00+00:00", "score": 0, "max_score": 9}],
    }
    double, url = board(class_data, details)
    page = browser_page.page
    row = page.locator('tr[data-student="x<img>"]')
    assert row.locator("a.name").inner_text() == HOSTILE
    assert f"stuck since 10:00 (on {HOSTILE}/{HOSTILE})" in row.inner_text()
    room = page.locator("#room-list > li").nth(0)
    assert HOSTILE in room.locator(".room-hint").inner_text()
    assert HOSTILE in room.locator(".room-check").inner_text()
    room.locator("button.who").click()
    assert room.locator(".room-names").inner_text() == HOSTILE
    row.locator('button[data-exercise="custom-bridge"]').click()
    assert HOSTILE in page.locator("#grid-body tr.detail").inner_text()
    assert page.locator("img").count() == 0
    # the student's page: the link escapes the id, the page shows the name and text as text
    row.locator("a.name").click()
    page.wait_for_url("**/students/x%3Cimg%3E")
    page.wait_for_function("() => document.getElementById('text').textContent.length > 0")
    assert page.locator("#student-name").inner_text() == HOSTILE
    assert HOSTILE in page.locator("pre#text").inner_text()
    assert page.locator("img").count() == 0
    assert browser_page.dialogs == []
    browser_page.assert_clean()


def test_the_clear_button_posts_and_the_flag_goes(board, browser_page):
    double, url = board(small_class()[0])
    page = browser_page.page
    row = page.locator('tr[data-student="cy"]')
    assert "asks for help" in row.inner_text()
    row.locator("button.clear").click()
    page.wait_for_function("""() => !document.querySelector('tr[data-student="cy"] .flag-help')""")
    assert double.cleared == ["cy"]
    assert ("POST", "/api/students/cy/help/clear") in double.requests
    assert "stuck since" in row.inner_text()  # still stuck: only the help was cleared
    browser_page.assert_clean()


def test_the_student_page_shows_the_text_and_a_plot(board, browser_page):
    class_data, details = small_class()
    double, url = board(class_data, details, path="/students/ana")
    page = browser_page.page
    page.wait_for_selector("#plot svg")
    assert page.locator("#student-name").inner_text() == "Ana"
    assert page.locator("#total").inner_text() == "Total: 6/9"
    text = page.locator("pre#text").inner_text()
    assert text == details["ana"]["text"]
    plot = page.locator("#plot svg.score-plot")
    assert plot.locator("circle").count() == 4
    points = plot.locator("polyline").get_attribute("points").split()
    assert len(points) == 7  # a step line: 4 gradings, 3 steps
    labels = [t.text_content() for t in plot.locator("text").all()]
    assert labels == ["0", "9", "10:00", "10:20"]
    box = plot.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert "Score of Ana over time, from 10:00 to 10:20" == plot.get_attribute("aria-label")
    # live too: a new grading reaches the open page
    double.update(
        lambda c, d: d["ana"]["history"].append(
            {"at": "2026-12-06T10:25:00+00:00", "score": 9, "max_score": 9}
        )
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#plot circle').length === 5", timeout=1000
    )
    browser_page.assert_clean()


def test_the_french_board(board, browser_page):
    board(small_class(lang="fr")[0], lang="fr")
    page = browser_page.page
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Tableau de la classe"
    assert page.locator("#room-title").inner_text() == "À expliquer à toute la salle"
    head = [th.inner_text().strip() for th in page.locator("#grid-head th").all()]
    assert head[:2] == ["Étudiant", "Total"]
    cy = rows(page)[0][0]
    assert "demande de l'aide depuis 10:12" in cy
    assert "bloqué depuis 10:05 (sur custom-bridge/network-subnet)" in cy
    assert page.locator('tr[data-student="cy"] button.clear').inner_text() == "Effacer"
    assert "2 étudiants" in page.locator("#room-list > li").nth(0).inner_text()
    assert page.locator("#room-more").inner_text() == "et 1 autre vérification en échec"
    title = page.locator('tr[data-student="cy"] button[data-exercise="custom-bridge"]')
    assert "✗ it has exactly the subnet asked for: échoué" in title.get_attribute("title")
    assert page.locator("#status").inner_text().startswith("mis à jour à ")
    assert page.locator(".logout button").inner_text() == "Se déconnecter"
    browser_page.assert_clean()


def test_logging_out_ends_the_session(board, browser_page):
    double, url = board(small_class()[0])
    page = browser_page.page
    page.locator(".logout button").click()
    page.wait_for_url(f"{url}/login")
    assert ("POST", "/logout") in double.requests
    page.goto(f"{url}/")
    assert page.url == f"{url}/login"
    browser_page.assert_clean()


def test_a_wide_class_scrolls_in_its_box_not_the_page(board, browser_page):
    exercises = [
        exercise(f"exercise-number-{n}", f"Exercise {n}", [("a", "A", 1), ("b", "B", 1)])
        for n in range(16)
    ]
    students = [
        student(f"s{n}", f"Student with a rather long name {n}", exercises, {}) for n in range(30)
    ]
    board(class_board(exercises, students))
    page = browser_page.page
    sizes = page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          box: document.getElementById('grid-scroll').clientWidth,
          grid: document.getElementById('grid-scroll').scrollWidth,
          font: parseFloat(getComputedStyle(document.querySelector('.cell')).fontSize),
        })"""
    )
    assert sizes["page"] <= sizes["viewport"], sizes
    assert sizes["grid"] > sizes["box"], sizes  # the grid scrolls inside its box
    assert sizes["font"] >= 14, sizes  # readable from the back of the room
    browser_page.assert_clean()


def realistic_class() -> tuple[dict, dict]:
    """8 students in the middle of a lab (watch grades every exercise: 0 for one not begun),
    one stuck, one asking for help."""
    bridge = exercise(
        "custom-bridge",
        "A bridge network with a chosen subnet",
        [
            ("network-exists", "the network exists", 1),
            ("network-driver", "its driver is bridge", 1),
            ("network-subnet", "it has exactly the subnet asked for", 1),
            ("container-attached", "a running alpine container is attached to it", 1),
            ("container-detached-tty", "that container runs detached, with a TTY (-itd)", 1),
        ],
    )
    ping = exercise(
        "two-containers-ping",
        "Two containers A and B that reach each other",
        [
            ("two-containers", "two running containers share a network", 1),
            ("interactive", "both were started with -it", 1),
            ("b-reaches-a", "B pings A", 2),
            ("a-reaches-b", "A pings B", 1),
        ],
    )
    isolation = exercise(
        "network-isolation",
        "Containers on two bridge networks cannot talk",
        [
            ("two-bridge-networks", "at least two user-defined bridge networks exist", 1),
            ("separate-networks", "A and B run on two bridge networks, none in common", 1),
            ("host-reaches-a", "the host pings A", 1),
            ("host-reaches-b", "the host pings B", 1),
            ("b-cannot-reach-a", "B cannot reach A", 2),
        ],
    )
    nginx = exercise(
        "nginx-ro-volume",
        "Replace nginx's default page with a read-only bind mount",
        [
            ("container-running", "a container named web is running", 1),
            ("image-nginx", "it runs the nginx:alpine image", 1),
            ("bind-mount", "a host folder is bind-mounted at /usr/share/nginx/html", 1),
            ("mount-read-only", "the mount is read-only, and a write into it fails", 1),
            ("custom-page", "GET / answers your index.html, not nginx's default page", 2),
        ],
    )
    save = exercise(
        "image-save",
        "Export an image as a tar archive",
        [
            ("archive-exists", "the archive exists and is a tar file", 1),
            ("archive-valid", "it is a complete image archive, its layers intact", 1),
            ("archive-tagged", "it carries the tag mine/node:latest", 1),
            ("archive-matches-image", "its layers are those of the local mine/node", 1),
        ],
    )
    exercises = [bridge, ping, isolation, nginx, save]

    def progress(*passed):
        return {ex["id"]: statuses_of(ex, n) for ex, n in zip(exercises, passed) if n is not None}

    students = [
        student(
            "lea",
            "Léa Martin",
            exercises,
            progress(5, 2, 0, 0, 0),
            help=True,
            help_since="2026-12-06T10:24:00+00:00",
        ),
        student(
            "tom",
            "Tom Nguyen",
            exercises,
            progress(2, 0, 0, 0, 0),
            stuck_since="2026-12-06T10:11:00+00:00",
            stuck_on={"exercise": "custom-bridge", "check": "network-subnet"},
        ),
        student("ines", "Inès Haddad", exercises, progress(2, 1, 0, 0, 0)),
        student("sam", "Samuel Okafor", exercises, progress(5, 5, 1, 0, 0)),
        student("chloe", "Chloé Dubois", exercises, progress(5, 5, 4, 2, 0)),
        student("yanis", "Yanis Benali", exercises, progress(5, 5, 6, 3, 1)),
        student("emma", "Emma Rossi", exercises, progress(5, 5, 6, 6, 2)),
        student("noah", "Noah Petit", exercises, progress(5, 5, 6, 6, 4)),
    ]
    room = [
        {
            "exercise": "custom-bridge",
            "check": "network-subnet",
            "title": "it has exactly the subnet asked for",
            "students": 2,
            "who": ["tom", "ines"],
            "hint": "The prefix length matters: 192.168.0.0/24 is not 192.168.0.0/16. Recreate"
            " the network with --subnet=192.168.0.0/24.",
        },
        {
            "exercise": "two-containers-ping",
            "check": "interactive",
            "title": "both were started with -it",
            "students": 2,
            "who": ["tom", "ines"],
            "hint": "Start both containers with docker run -it (or -itd).",
        },
        {
            "exercise": "network-isolation",
            "check": "two-bridge-networks",
            "title": "at least two user-defined bridge networks exist",
            "students": 1,
            "who": ["lea"],
            "hint": "Create two networks with docker network create.",
        },
    ]
    return class_board(exercises, students, room), {}


def test_screenshot_of_a_realistic_board(board, browser_page, tmp_path):
    """The README's picture: set DG_BOARD_SCREENSHOT=docs/images/board.png to write it."""
    page = browser_page.page
    page.clock.set_fixed_time(datetime(2026, 12, 6, 10, 30, 12, tzinfo=timezone.utc))
    board(realistic_class()[0])
    page.locator('tr[data-student="tom"] button[data-exercise="custom-bridge"]').click()
    shot = tmp_path / "board.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert len(rows(page)) == 8
    target = os.environ.get("DG_BOARD_SCREENSHOT")
    if target:
        destination = ROOT / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, destination)
    browser_page.assert_clean()


def test_the_board_on_a_real_class_server(browser_page, tmp_path):
    """The same pages served by a real ``docker-grade serve`` (SQLite), fed by student
    gradings: the grid, a hostile name as text, a grading seen within a second, help cleared,
    the student's page."""
    from support.class_server import ClassServerProcess, report_json, write_roster
    from support.reports import course_report

    roster = write_roster(tmp_path / "class.csv", {"ana": HOSTILE, "bob": "Bob Durand"})
    page = browser_page.page
    with ClassServerProcess(roster, tmp_path / "state") as server:
        failing = course_report({"custom-bridge": {"network-subnet": "failed"}}, "ana", HOSTILE)
        assert server.post_grading("ana", report_json(failing)).status_code == 201
        help_asked = httpx.post(
            f"{server.url}/api/help",
            json={"help": True},
            headers={"Authorization": f"Bearer {server.student_token('ana')}"},
            timeout=10,
        )
        assert help_asked.status_code == 200
        page.goto(f"{server.url}/")
        page.fill("#token", server.instructor_token())
        page.click("form.login-form button[type=submit]")
        page.wait_for_selector("#grid-body tr.student")
        ana = page.locator('tr[data-student="ana"]')
        assert ana.locator("a.name").inner_text() == HOSTILE
        assert "asks for help" in ana.inner_text()
        assert ana.locator('button[data-exercise="custom-bridge"]').inner_text() == "4/5"
        assert "it has exactly the subnet asked for" in page.locator("#room-list").inner_text()

        passing = course_report({"custom-bridge": {}}, "bob")
        assert server.post_grading("bob", report_json(passing)).status_code == 201
        page.wait_for_function(
            """() => document.querySelector('tr[data-student="bob"] .col-total')
                     .innerText === '5/5'""",
            timeout=1000,
        )
        ana.locator("button.clear").click()
        page.wait_for_function(
            """() => !document.querySelector('tr[data-student="ana"] .flag-help')"""
        )
        assert server.row("ana")["help"] is False

        ana.locator("a.name").click()
        page.wait_for_selector("#plot svg circle")
        page.wait_for_function("() => document.getElementById('text').textContent.length > 0")
        assert f"✗ network-subnet: {HOSTILE}" in page.locator("pre#text").inner_text()
        assert page.locator("img").count() == 0
        browser_page.assert_clean()
        page.goto("about:blank")
