"""Gradescope's results.json, as its "Autograder Specifications" page describes it."""

import json

from grader.exporters import exporter_named
from grader.report.models import Status
from support.cli import docker_grade
from support.reports import sample_report

TOP_LEVEL = {
    "score": float,
    "execution_time": int,
    "output": str,
    "output_format": str,
    "visibility": str,
    "stdout_visibility": str,
    "extra_data": dict,
    "tests": list,
}
TEST = {
    "name": str,
    "number": str,
    "score": float,
    "max_score": float,
    "status": str,
    "output": str,
    "visibility": str,
}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def results(report=None, lang="en") -> dict:
    return json.loads(exporter_named("gradescope").render(report or sample_report(), lang=lang))


def by_check(report=None, lang="en") -> dict[str, dict]:
    return {
        test["name"].split(" › ")[1].split(":")[0]: test for test in results(report, lang)["tests"]
    }


def test_top_level_has_the_documented_keys_and_types():
    found = results()
    assert set(found) == set(TOP_LEVEL)
    for key, kind in TOP_LEVEL.items():
        assert type(found[key]) is kind, key  # noqa: E721 - exact types: a bool is no int
    assert found["score"] == 2.0
    assert found["execution_time"] == 2  # 1.5 s, rounded up to whole seconds
    assert found["visibility"] in VISIBILITIES and found["stdout_visibility"] in VISIBILITIES
    assert found["output_format"] == "simple_format"
    assert found["extra_data"] == {
        "student_id": "alice",
        "docker_host": "unix:///var/run/docker.sock",
        "engine_version": "20.10.24",
        "tool_version": "0.1.0",
        "started_at": "2026-11-27T20:00:00+00:00",
    }


def test_each_check_is_a_test_with_the_documented_keys_and_types():
    tests = results()["tests"]
    report = sample_report()
    assert len(tests) == sum(len(e.checks) for e in report.exercises)
    for test in tests:
        assert set(test) == set(TEST)
        for key, kind in TEST.items():
            assert type(test[key]) is kind, (test["name"], key)  # noqa: E721
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in VISIBILITIES
    assert [test["number"] for test in tests] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    assert tests[1]["name"] == "custom-bridge › network-subnet: title of network-subnet"


def test_scores_add_up_and_max_scores_are_the_weights():
    found = results()
    report = sample_report()
    assert sum(test["score"] for test in found["tests"]) == found["score"] == report.score
    weights = [check.max_score for e in report.exercises for check in e.checks]
    assert [test["max_score"] for test in found["tests"]] == weights
    assert sum(test["max_score"] for test in found["tests"]) == report.max_score


def test_only_passed_checks_pass_skipped_and_error_fail_with_the_reason():
    tests = by_check()
    assert tests["network-exists"]["status"] == "passed"
    assert tests["network-exists"]["output"] == "message of network-exists"  # no hint
    assert tests["network-subnet"]["status"] == "failed"
    assert tests["network-subnet"]["output"] == (
        "message of network-subnet\nhint: hint for network-subnet"
    )
    skipped, error = tests["container-detached-tty"], tests["b-cannot-reach-a"]
    assert skipped["status"] == error["status"] == "failed"
    assert skipped["output"].startswith("skipped: message of container-detached-tty\n")
    assert error["output"].startswith("error: message of b-cannot-reach-a\n")
    assert "hint: hint for b-cannot-reach-a" in error["output"]


def test_summary_gives_the_score_the_tally_and_each_exercise():
    output = results()["output"]
    assert output.splitlines()[:3] == [
        "Score: 2 / 6 (passed: 2, failed: 1, skipped: 1, error: 1)",
        "custom-bridge: 2 / 4",
        "network-isolation: 0 / 2",
    ]
    assert "could not be decided" in output  # an error check: the student is told to ask


def test_summary_is_escaped_for_the_html_gradescope_renders_it_as():
    report = sample_report()
    report.exercises[0].id = "a<b>&c"
    output = results(report)["output"]
    assert "a&lt;b&gt;&amp;c: 2 / 4" in output and "<b>" not in output


def test_in_french():
    found = results(lang="fr")
    assert found["output"].startswith("Note: 2 / 6 (réussi: 2, échoué: 1, ignoré: 1, erreur: 1)")
    assert "demandez à votre enseignant" in found["output"]
    tests = {test["number"]: test for test in found["tests"]}
    assert tests["1.2"]["output"] == "message of network-subnet\nconseil: hint for network-subnet"
    assert tests["1.4"]["output"].startswith("ignoré: ")
    assert tests["2.1"]["output"].startswith("erreur: ")
    raw = exporter_named("gradescope").render(sample_report(), lang="fr")
    assert "réussi" in raw and "›" in raw  # UTF-8 as is, not \u escapes


def test_without_student_id_or_errors():
    report = sample_report(student_id=None)
    for exercise in report.exercises:
        for check in exercise.checks:
            if check.status is Status.ERROR:
                check.status = Status.FAILED
    found = results(report)
    assert found["extra_data"]["student_id"] is None
    assert found["output"].splitlines()[0] == "Score: 2 / 6 (passed: 2, failed: 2, skipped: 1)"
    assert "could not be decided" not in found["output"]


def test_check_offers_the_gradescope_format():
    run = docker_grade("check", "--help")
    assert run.exit_code == 0 and "gradescope" in run.stdout
