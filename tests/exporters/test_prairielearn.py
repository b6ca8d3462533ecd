"""PrairieLearn's external-grader results.json, against the example of its "External Grading"
page (samples/prairielearn_results.json) and as <pl-external-grader-results> reads it."""

import json
from pathlib import Path

from grader.exporters import exporter_named
from grader.report.models import Status
from support.cli import docker_grade
from support.reports import sample_report

SAMPLE = json.loads((Path(__file__).parent / "samples" / "prairielearn_results.json").read_text())
NUMBER = (int, float)


def results(report=None, lang="en") -> dict:
    return json.loads(exporter_named("prairielearn").render(report or sample_report(), lang=lang))


def by_check(report=None, lang="en") -> dict[str, dict]:
    return {test["name"].split(":")[0]: test for test in results(report, lang)["tests"]}


def kind(value):
    return NUMBER if isinstance(value, NUMBER) and not isinstance(value, bool) else type(value)


def test_has_the_fields_and_types_of_the_documented_example():
    found = results()
    assert set(found) == set(SAMPLE)
    for key, value in SAMPLE.items():
        assert isinstance(found[key], kind(value)), key
    for test in found["tests"]:
        assert set(test) == set(SAMPLE["tests"][0])
        for key, value in SAMPLE["tests"][0].items():
            assert isinstance(test[key], kind(value)), (test["name"], key)
    assert found["gradable"] is True


def test_score_is_the_fraction_and_points_are_the_checks_weights():
    found = results()
    assert found["score"] == 2 / 6
    assert [(t["points"], t["max_points"]) for t in found["tests"]] == [
        (1.0, 1.0),
        (0.0, 1.0),
        (1.0, 1.0),
        (0.0, 1.0),
        (0.0, 2.0),
    ]


def test_what_the_results_element_shows():
    """The computations of pl-external-grader-results.py: a points total when every test has
    points and max_points, each card green only when its points are its max_points."""
    tests = results()["tests"]
    assert all(t.get("points") is not None and t.get("max_points") is not None for t in tests)
    assert sum(t["points"] for t in tests) == 2 and sum(t["max_points"] for t in tests) == 6
    green = [t["name"] for t in tests if t["points"] == t["max_points"]]
    assert green == [
        "custom-bridge/network-exists: title of network-exists",
        "custom-bridge/container-attached: title of container-attached",
    ]


def test_each_check_names_its_exercise_and_says_how_to_fix_it():
    tests = by_check()
    subnet = tests["custom-bridge/network-subnet"]
    assert subnet["name"] == "custom-bridge/network-subnet: title of network-subnet"
    assert subnet["description"] == "custom-bridge: A bridge network"
    assert subnet["message"] == "message of network-subnet"
    assert subnet["output"] == "hint: hint for network-subnet"
    assert tests["custom-bridge/network-exists"]["output"] == ""  # passed: no hint
    skipped = tests["custom-bridge/container-detached-tty"]["output"]
    assert skipped == "skipped\nhint: hint for container-detached-tty"
    error = tests["network-isolation/b-cannot-reach-a"]["output"].splitlines()
    assert error[0].startswith("error: The grader could not decide this check")
    assert error[1] == "hint: hint for b-cannot-reach-a"


def test_message_and_output_summarise_the_report():
    found = results()
    assert found["message"].splitlines() == [
        "Score: 2 / 6 (passed: 2, failed: 1, skipped: 1, error: 1)",
        "Some checks could not be decided by the grader (error): ask your teacher to look at them.",
    ]
    assert found["output"].splitlines() == [
        "custom-bridge: 2 / 4  A bridge network",
        "network-isolation: 0 / 2  Isolation",
    ]


def test_in_french():
    found = results(lang="fr")
    assert found["message"].startswith("Note: 2 / 6 (réussi: 2, échoué: 1, ignoré: 1, erreur: 1)")
    tests = {test["name"].split(":")[0]: test for test in found["tests"]}
    assert tests["custom-bridge/network-subnet"]["output"] == "conseil: hint for network-subnet"
    assert tests["custom-bridge/container-detached-tty"]["output"].startswith("ignoré\n")


def test_student_text_loses_terminal_escapes_before_ansi2html_sees_it():
    report = sample_report()
    check = report.exercises[0].checks[1]
    check.message = "container \x1b[31mred\x1b[0m <b>"
    check.hint = "remove \x07it"
    test = by_check(report)["custom-bridge/network-subnet"]
    assert test["message"] == "container [31mred[0m <b>"  # ansi2html escapes the HTML
    assert test["output"] == "hint: remove it"


def test_a_full_score_and_nothing_to_score():
    report = sample_report()
    for exercise in report.exercises:
        for check in exercise.checks:
            check.status, check.score = Status.PASSED, check.max_score
    report.score = report.max_score
    assert results(report)["score"] == 1.0
    report.exercises, report.score, report.max_score = [], 0.0, 0.0
    assert results(report)["score"] == 1.0 and results(report)["tests"] == []


def test_ungradable_charges_no_attempt_and_gives_the_reason():
    text = exporter_named("prairielearn").ungradable(
        "unix:///var/run/docker.sock: no engine answers there\x1b[0m", lang="en"
    )
    found = json.loads(text)
    assert found["gradable"] is False
    # makeGradingResult (PrairieLearn) reads format_errors as a string or a list of them
    assert found["format_errors"] == ["unix:///var/run/docker.sock: no engine answers there[0m"]
    assert found["score"] == 0.0 and "tests" not in found
    assert "does not count" in found["message"]
    french = json.loads(exporter_named("prairielearn").ungradable("x", lang="fr"))
    assert "ne compte pas" in french["message"]


def test_check_offers_the_format():
    run = docker_grade("check", "--help")
    assert run.exit_code == 0 and "prairielearn" in run.stdout


def test_check_on_an_engine_that_cannot_be_used_writes_ungradable_results(tmp_path):
    out = tmp_path / "results" / "results.json"
    socket = f"unix://{tmp_path / 'no-engine.sock'}"
    run = docker_grade("check", "--format", "prairielearn", "--docker-host", socket, "-o", str(out))
    assert run.exit_code == 3  # the engine's error, as with every format
    assert run.stderr.startswith("docker-grade: ") and run.stderr.count("\n") == 1
    found = json.loads(out.read_text(encoding="utf-8"))
    assert found["gradable"] is False
    assert found["format_errors"] == [run.stderr.removeprefix("docker-grade: ").strip()]
