"""The class board as data: what ``GET /api/class`` answers and the board's page shows.

Pure: it takes the students' stored states and the course outline, and decides who is stuck
and which checks to explain to the room (the contract: docs/class-server.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from grader.classroom.outline import CourseOutline
from grader.classroom.store import StudentState
from grader.languages import Lang

ROOM_FAILING = ("failed",)  # a check "most students fail now": failed, not undecided


def class_board(
    states: list[StudentState],
    outline: CourseOutline,
    *,
    lang: Lang,
    at: datetime,
    stuck_after: timedelta,
    revision: int,
) -> dict[str, Any]:
    students = [student_row(state, at, stuck_after) for state in states]
    graded = {exercise for state in states for exercise in state.summaries}
    shown = [e for e in outline.exercises if e.id in graded] or list(outline.exercises)
    return {
        "revision": revision,
        "generated_at": at.isoformat(),
        "lang": lang,
        "stuck_after_s": stuck_after.total_seconds(),
        "exercises": [
            {
                "id": e.id,
                "title": e.title.render(lang),
                "max_score": e.max_score,
                "checks": [{"id": c.id, "title": c.title.render(lang)} for c in e.checks],
            }
            for e in shown
        ],
        "students": sorted(students, key=_who_needs_help_first),
        "room": _room(states, outline, lang),
    }


def student_row(state: StudentState, at: datetime, stuck_after: timedelta) -> dict[str, Any]:
    graded = bool(state.summaries)
    stuck = (
        state.first_failing is not None
        and state.first_failing_since is not None
        and at - state.first_failing_since > stuck_after
    )
    stuck_on = None
    if stuck:
        exercise, _, check = state.first_failing.partition("/")
        stuck_on = {"exercise": exercise, "check": check}
    return {
        "student_id": state.student_id,
        "name": state.name,
        "score": sum(s["score"] for s in state.summaries.values()) if graded else None,
        "max_score": sum(s["max_score"] for s in state.summaries.values()) if graded else None,
        "exercises": state.summaries,
        "last_grading_at": _iso(state.last_grading_at),
        "last_change_at": _iso(state.last_change_at),
        "stuck_since": _iso(state.first_failing_since) if stuck else None,
        "stuck_on": stuck_on,
        "help": state.help_since is not None,
        "help_since": _iso(state.help_since),
    }


def _who_needs_help_first(student: dict[str, Any]) -> tuple:
    """Help asked (longest first), then stuck (longest first), then the lowest share of the
    points graded; those who sent nothing last. Python's sort is stable: ties keep the
    roster's order."""
    if student["help"]:
        return (0, student["help_since"])
    if student["stuck_since"]:
        return (1, student["stuck_since"])
    if student["max_score"]:
        return (2, f"{student['score'] / student['max_score']:.6f}")
    return (3, "")


def _room(states: list[StudentState], outline: CourseOutline, lang: Lang) -> list[dict]:
    """Every check failed now by at least one student, most students first (course order
    between equals)."""
    room = []
    for exercise in outline.exercises:
        for check in exercise.checks:
            who = [
                state.student_id
                for state in states
                if state.summaries.get(exercise.id, {}).get("checks", {}).get(check.id)
                in ROOM_FAILING
            ]
            if who:
                room.append(
                    {
                        "exercise": exercise.id,
                        "check": check.id,
                        "title": check.title.render(lang),
                        "students": len(who),
                        "who": who,
                        "hint": check.hint.render(lang),
                    }
                )
    return sorted(room, key=lambda entry: -entry["students"])


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
