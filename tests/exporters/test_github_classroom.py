"""The runner result GitHub Classroom's autograding-grading-reporter reads: base64 in the step
output `result`, then JSON, then the fields its src/ reads; checked against a runner result of
Classroom's Python grader (samples/classroom_runner_result.json)."""

import base64
import json
import os
from pathlib import Path

from grader.exporters import exporter_named
from grader.report.models import Status
from support.cli import docker_grade
from support.reports import sample_report

SAMPLE = json.loads(
    (Path(__file__).parent / "samples" / "classroom_runner_result.json").read_text()
)
# What the reporter reads (github-education-resources/autograding-grading-reporter, src/)
RUNNER_FIELDS = ("status", "max_score", "tests")  # main.js, notify-classroom.js, aggregate
TEST_FIELDS = ("name", "status", "score", "message", "line_no", "test_code")  # console-results.js
NUMBER = (int, float)


def workflow_output(report=None, lang="en") -> str:
    """What the workflow's step puts in $GITHUB_OUTPUT: ``base64 -w0`` of the file."""
    text = exporter_named("github-classroom").render(report or sample_report(), lang=lang)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def reporter_reads(runner: str, environ: dict) -> dict:
    """src/main.js: ``process.env[`${runner.trim().toUpperCase()}_RESULTS`]``, base64, JSON."""
    encoded = environ[f"{runner.strip().upper()}_RESULTS"]
    return json.loads(base64.b64decode(encoded).decode("utf-8"))


def results(report=None, lang="en") -> dict:
    return reporter_reads("grade", {"GRADE_RESULTS": workflow_output(report, lang)})


def points_sent_to_classroom(result: dict) -> tuple[float, float]:
    """src/notify-classroom.js: the tests' scores added up, out of max_score."""
    return sum(test["score"] for test in result["tests"]), result["max_score"]


def job_fails(result: dict) -> bool:
    """src/main.js: setFailed when a runner's status is fail or error."""
    return result["status"] in ("fail", "error")


def kind(value):
    return NUMBER if isinstance(value, NUMBER) and not isinstance(value, bool) else type(value)


def test_the_reporter_finds_and_decodes_it():
    encoded = workflow_output()
    assert "\n" not in encoded  # one line, as $GITHUB_OUTPUT's name=value wants it
    environ = {**os.environ, "GRADE_RESULTS": encoded}
    assert reporter_reads(" grade ", environ)["tests"]


def test_has_the_fields_the_reporter_reads_with_the_types_of_a_classroom_runner():
    found = results()
    for field in RUNNER_FIELDS:
        assert isinstance(found[field], kind(SAMPLE[field])), field
    for test in found["tests"]:
        for field in TEST_FIELDS:
            sample = next(t[field] for t in SAMPLE["tests"] if t.get(field) is not None)
            assert isinstance(test[field], kind(sample)), (test["name"], field)
        assert test["status"] in ("pass", "fail", "error")
        assert test["line_no"] == 0  # console-results prints "- line N" unless it is 0
    assert found["version"] == 2


def test_classroom_records_the_report_score_and_the_job_fails_unless_all_passed():
    found = results()
    assert points_sent_to_classroom(found) == (2, 6)
    assert job_fails(found) and found["status"] == "fail"
    report = sample_report()
    for exercise in report.exercises:
        for check in exercise.checks:
            check.status, check.score = Status.PASSED, check.max_score
    report.score = report.max_score
    passed = results(report)
    assert passed["status"] == "pass" and not job_fails(passed)
    assert points_sent_to_classroom(passed) == (6, 6)


def test_each_status_and_where_the_student_reads_why():
    tests = {test["name"].split(":")[0]: test for test in results()["tests"]}
    assert [t["status"] for t in tests.values()] == ["pass", "fail", "pass", "fail", "error"]
    passed = tests["custom-bridge/network-exists"]
    assert passed["test_code"] == "" and passed["score"] == 1  # nothing printed under it
    failed = tests["custom-bridge/network-subnet"]
    assert failed["name"] == "custom-bridge/network-subnet: title of network-subnet"
    assert failed["message"] == "message of network-subnet"
    # console-results.js prints a failed test's name, then test_code: the message and hint
    assert failed["test_code"] == "message of network-subnet\nhint: hint for network-subnet"
    error = tests["network-isolation/b-cannot-reach-a"]
    assert error["message"] == "message of b-cannot-reach-a"  # printed as "Error: ..."
    assert error["score"] == 0


def test_in_french():
    tests = results(lang="fr")["tests"]
    assert tests[1]["test_code"] == "message of network-subnet\nconseil: hint for network-subnet"


def test_student_text_cannot_become_a_workflow_command():
    report = sample_report()
    check = report.exercises[0].checks[1]
    check.message = "no network\n::add-mask::secret\n  ::error file=x::owned \x1b[2J"
    test = results(report)["tests"][1]
    assert test["message"].splitlines() == [
        "no network",
        "\\::add-mask::secret",
        "\\  ::error file=x::owned [2J",
    ]
    assert not any(line.lstrip().startswith("::") for line in test["test_code"].splitlines())


def test_ungradable_is_an_error_without_points():
    found = json.loads(
        exporter_named("github-classroom").ungradable("tcp://lab:2376: timed out", lang="en")
    )
    assert found["status"] == "error" and job_fails(found)
    assert found["message"] == (
        "Not graded: the Docker engine could not be used (tcp://lab:2376: timed out)."
    )
    assert found["tests"] == [] and found["max_score"] == 0
    assert points_sent_to_classroom(found) == (0, 0)  # notify-classroom sends nothing then


def test_check_offers_the_format():
    run = docker_grade("check", "--help")
    assert run.exit_code == 0 and "github-classroom" in run.stdout


def test_check_on_an_engine_that_cannot_be_used_gives_the_reporter_an_error(tmp_path):
    socket = f"unix://{tmp_path / 'no-engine.sock'}"
    run = docker_grade("check", "--format", "github-classroom", "--docker-host", socket)
    assert run.exit_code == 3
    found = json.loads(run.stdout)
    assert found["status"] == "error" and found["tests"] == []
    reason = run.stderr.removeprefix("docker-grade: ").strip()
    assert found["message"] == f"Not graded: the Docker engine could not be used ({reason})."
