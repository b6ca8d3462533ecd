"""The watch views on updates made here (no engine)."""

from __future__ import annotations

import io
import json

from rich.console import Console

from grader.report.models import CheckResult, ExerciseResult, Status
from grader.watch.triggers import Trigger, is_relevant
from grader.watch.views import Board, JsonLines
from grader.watch.watcher import Update


def _check(check_id: str, status: Status, message: str = "as expected") -> CheckResult:
    return CheckResult(
        id=check_id,
        title=check_id,
        status=status,
        score=1.0 if status is Status.PASSED else 0.0,
        max_score=1.0,
        message=message,
        hint=None if status is Status.PASSED else "do this",
        evidence={},
        duration_s=0.0,
    )


def _exercise(exercise_id: str, *statuses: Status, message: str = "wrong") -> ExerciseResult:
    checks = [
        _check(f"c{n}", s, message if s is not Status.PASSED else "as expected")
        for n, s in enumerate(statuses)
    ]
    return ExerciseResult(
        id=exercise_id,
        title=exercise_id,
        checks=checks,
        score=sum(c.score for c in checks),
        max_score=float(len(checks)),
    )


def _update(*results: ExerciseResult, focus=None, completed=(), triggers=()) -> Update:
    return Update(
        at=0.0,
        triggers=list(triggers),
        graded=list(results),
        results={r.id: r for r in results},
        focus=focus,
        completed=list(completed),
        engine="unix:///var/run/docker.sock",
    )


def _board_text(update: Update) -> str:
    console = Console(file=io.StringIO(), width=80, force_terminal=False, no_color=True)
    board = Board(lang="en", order=[e for e in update.results], console=console)
    board(update)
    return console.file.getvalue()


def test_the_board_shows_scores_glyphs_and_the_next_step():
    update = _update(
        _exercise("custom-bridge", Status.PASSED, Status.FAILED, Status.SKIPPED),
        _exercise("two-containers-ping", Status.PASSED, Status.PASSED),
        focus="custom-bridge",
        completed=["two-containers-ping"],
        triggers=[Trigger("event", "network create mybridge", 0.0)],
    )

    text = _board_text(update)

    lines = text.splitlines()
    assert lines[0] == "docker-grade watch · unix:///var/run/docker.sock · 3/5"
    assert lines[1] == "  1. custom-bridge           1/3   ✓✗·"
    assert lines[2] == "✓ 2. two-containers-ping     2/2   ✓✓"
    assert "Next: custom-bridge" in text and "c1: wrong" in text and "hint: do this" in text
    assert "★ two-containers-ping: complete, well done!" in text
    assert "last change: network create mybridge" in text
    assert all(len(line) <= 80 for line in lines)


def test_student_text_cannot_drive_the_terminal():
    evil = _exercise("custom-bridge", Status.FAILED, message="\x1b[2J\x1b]0;owned\x07name")

    text = _board_text(_update(evil, focus="custom-bridge"))

    assert "\x1b" not in text and "\x07" not in text and "c0: [2J]0;ownedname" in text


def test_json_lines_carry_the_graded_exercises_in_the_reports_shape():
    out = io.StringIO()
    update = _update(
        _exercise("custom-bridge", Status.PASSED),
        triggers=[Trigger("event", "container start alpha", 12.5, frozenset({"container"}))],
    )

    JsonLines(out)(update)

    line = json.loads(out.getvalue())
    assert line["triggers"] == [{"kind": "event", "detail": "container start alpha", "at": 12.5}]
    assert line["exercises"][0]["checks"][0]["status"] == "passed"
    assert (line["score"], line["max_score"]) == (1.0, 1.0)
    ExerciseResult.model_validate(line["exercises"][0])


def test_the_graders_own_probes_and_idle_actions_trigger_nothing():
    probe = {
        "Type": "container",
        "Action": "start",
        "Actor": {"Attributes": {"docker-grade.probe": "abc", "name": "x"}},
    }
    student = {"Type": "container", "Action": "start", "Actor": {"Attributes": {"name": "x"}}}
    exec_start = {"Type": "container", "Action": "exec_start: sh", "Actor": {"Attributes": {}}}

    assert not is_relevant(probe) and is_relevant(student) and not is_relevant(exec_start)


def test_a_container_joining_the_hosts_network_triggers_no_grading_of_its_own():
    # the resident probe container's network events carry no label: without this, each
    # grading would start the next
    def connect(network):
        return {
            "Type": "network",
            "Action": "connect",
            "Actor": {"Attributes": {"name": network, "container": "5e1f"}},
        }

    assert not is_relevant(connect("host")) and not is_relevant(connect("none"))
    assert is_relevant(connect("mybridge"))
