"""The result of a GitHub Classroom autograding runner, for ``autograding-grading-reporter``.

A runner step writes its result, base64-encoded JSON, as its step output ``result``; the
reporter is given each runner's step id (``runners: ID``) and reads the result from the
environment variable ``<ID>_RESULTS`` (github-education-resources/autograding-grading-reporter,
``src/main.js``). The workflow does the encoding (``base64 -w0``): this is the JSON.

The fields are those the reporter reads: the runner's ``status`` (``fail`` or ``error`` fails
the job, ``src/main.js``) and ``max_score``, each test's ``name``, ``status`` (``pass``,
``fail`` or ``error``), ``score`` (the points sent to Classroom are the tests' scores added up,
out of ``max_score``: ``src/notify-classroom.js``), ``message``, ``line_no`` and ``test_code``
(``src/console-results.js``). The layout and ``version`` are those of Exercism's test-runner
interface (exercism.org/docs/building/tooling/test-runners/interface), which Classroom's own
runners write: version 2 is per-test results, ``error`` is for a run where no test ran.

The reporter prints a test that did not pass as its name, then ``test_code`` under "Test
code:", and its ``message`` only for an ``error``: ``test_code`` carries the message and the
hint, where the student reads them. The log it prints them to obeys workflow commands (a line
starting with ``::``): student text (container names...) cannot start one.
"""

from __future__ import annotations

import json
from typing import Any

from grader.exporters.base import Exporter
from grader.exporters.wording import HINT
from grader.i18n import Lang, t
from grader.report.models import CheckResult, ExerciseResult, Report, Status
from grader.report.printable import printable

VERSION = 2  # Exercism's interface: per-test results, no task ids
_TEST_STATUS = {
    Status.PASSED: "pass",
    Status.FAILED: "fail",
    Status.SKIPPED: "fail",  # a prerequisite did not pass: the message names it
    Status.ERROR: "error",  # the grader could not decide
}
_NOT_GRADED = t(
    "Not graded: the Docker engine could not be used ({reason}).",
    "Non noté : le moteur Docker n'a pas pu être utilisé ({reason}).",
)


class GitHubClassroomExporter(Exporter):
    name = "github-classroom"

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        tests = [
            _test(exercise, check, lang)
            for exercise in report.exercises
            for check in exercise.checks
        ]
        result = {
            "version": VERSION,
            "status": "pass" if all(test["status"] == "pass" for test in tests) else "fail",
            "max_score": _number(report.max_score),
            "tests": tests,
        }
        return _json(result)

    def ungradable(self, reason: str, *, lang: Lang) -> str:
        """A run where nothing could be graded (the engine could not be used): ``error``, which
        fails the job, with no points for Classroom to record (``max_score`` 0)."""
        message = _NOT_GRADED.render(lang).format(reason=reason)
        result = {"version": VERSION, "status": "error", "message": _inert(message)}
        result.update(max_score=0, tests=[])
        return _json(result)


def _test(exercise: ExerciseResult, check: CheckResult, lang: Lang) -> dict[str, Any]:
    passed = check.status is Status.PASSED
    details = check.message
    if not passed and check.hint:
        details += f"\n{HINT.render(lang)}: {check.hint}"
    return {
        "name": f"{exercise.id}/{check.id}: {check.title}",
        "status": _TEST_STATUS[check.status],
        "score": _number(check.score),
        "message": _inert(check.message),
        "test_code": "" if passed else _inert(details),
        "line_no": 0,  # the reporter prints "- line N" unless it is 0
    }


def _inert(text: str) -> str:
    """``text`` as the Actions log should show it: no control characters, and no line that
    the runner would take for a workflow command (``::error::``, ``::add-mask::``...)."""
    lines = printable(text).split("\n")
    return "\n".join(f"\\{line}" if line.lstrip().startswith("::") else line for line in lines)


def _number(value: float) -> int | float:
    """Whole points as integers: the reporter prints them as JSON has them."""
    return int(value) if float(value).is_integer() else float(value)


def _json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
