"""JUnit XML for CI test views: counts, one element per status, text that survives XML."""

import json
import xml.etree.ElementTree as ET

from junitparser import Error, Failure, JUnitXml, Skipped

from grader.exporters import exporter_named
from grader.report.models import Status
from support.cli import docker_grade
from support.reports import sample_report

CHILD = {Status.FAILED: "failure", Status.ERROR: "error", Status.SKIPPED: "skipped"}
SPECIAL = "a < b && c > \"d\" 'e' — réseau ✓\nsecond line"


def render(report=None, lang="en") -> str:
    return exporter_named("junit").render(report or sample_report(), lang=lang)


def counts(checks) -> dict[str, str]:
    statuses = [check.status for check in checks]
    return {
        "tests": str(len(statuses)),
        "failures": str(statuses.count(Status.FAILED)),
        "errors": str(statuses.count(Status.ERROR)),
        "skipped": str(statuses.count(Status.SKIPPED)),
    }


def test_parses_with_a_utf8_declaration_and_the_report_counts():
    text = render()
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites")
    root = ET.fromstring(text.encode("utf-8"))
    report = sample_report()
    assert root.tag == "testsuites" and root.get("name") == "docker-grade"
    assert {key: root.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5",
        "failures": "1",
        "errors": "1",
        "skipped": "1",
    }
    assert root.get("time") == "1.500"
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [e.id for e in report.exercises]
    for suite, exercise in zip(suites, report.exercises):
        assert {
            key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")
        } == counts(exercise.checks)
        assert suite.get("time") == f"{0.25 * len(exercise.checks):.3f}"
        assert suite.get("timestamp") == "2026-11-27T20:00:00"


def test_each_testcase_has_the_element_of_its_status_and_its_evidence():
    root = ET.fromstring(render())
    report = sample_report()
    for suite, exercise in zip(root.findall("testsuite"), report.exercises):
        cases = suite.findall("testcase")
        assert len(cases) == len(exercise.checks)
        for case, check in zip(cases, exercise.checks):
            assert (case.get("classname"), case.get("name"), case.get("time")) == (
                exercise.id,
                check.id,
                "0.250",
            )
            tags = [child.tag for child in case]
            expected = [CHILD[check.status]] if check.status in CHILD else []
            assert tags == expected + ["system-out"], check.id
            assert json.loads(case.find("system-out").text) == check.evidence
            if check.status in (Status.FAILED, Status.ERROR):
                result = case.find(CHILD[check.status])
                assert result.get("message") == check.message
                assert result.get("type") == check.status.value
                assert result.text == f"{check.message}\nhint: {check.hint}"
            if check.status is Status.SKIPPED:
                assert case.find("skipped").get("message") == check.message


def test_suite_properties():
    suite = ET.fromstring(render()).find("testsuite")
    properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert properties == {
        "student_id": "alice",
        "docker_host": "unix:///var/run/docker.sock",
        "score": "2",
        "max_score": "4",
    }
    anonymous = ET.fromstring(render(sample_report(student_id=None))).find("testsuite")
    assert "student_id" not in {p.get("name") for p in anonymous.find("properties")}
    assert suite[0].tag == "properties"  # first, as JUnit's schema orders a suite's children


def test_special_characters_survive_the_round_trip():
    report = sample_report()
    report.exercises[0].id = "réseau & <co>"
    failed = report.exercises[0].checks[1]
    failed.id, failed.message, failed.hint = 'x<y>&"z"', SPECIAL, "utilisez « --subnet » & co"
    failed.evidence = {"réseau": SPECIAL, "list": ["<", "&"]}
    text = render(report)
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite.get("name") == "réseau & <co>"
    case = suite.findall("testcase")[1]
    assert case.get("name") == 'x<y>&"z"' and case.get("classname") == "réseau & <co>"
    assert case.find("failure").get("message") == SPECIAL  # newline kept in the attribute too
    assert case.find("failure").text == f"{SPECIAL}\nhint: utilisez « --subnet » & co"
    assert json.loads(case.find("system-out").text) == failed.evidence
    assert "réseau" in text  # UTF-8 as is, not character references


def test_characters_xml_cannot_hold_are_escaped_not_fatal():
    report = sample_report()
    failed = report.exercises[0].checks[1]
    failed.message = "log: \x1b[31mred\x1b[0m\x00"
    failed.evidence = {"logs": "\x1b[1mbold\x07"}
    case = ET.fromstring(render(report)).find("testsuite").findall("testcase")[1]
    assert case.find("failure").get("message") == "log: \\x1b[31mred\\x1b[0m\\x00"
    # JSON writes control characters as \u001b: the evidence itself comes back unchanged
    assert json.loads(case.find("system-out").text) == failed.evidence


def test_junitparser_reads_the_same_counts(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(render(), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    report = sample_report()
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (5, 1, 1, 1)
    suites = list(xml)
    assert [suite.name for suite in suites] == [e.id for e in report.exercises]
    kinds = {Status.FAILED: Failure, Status.ERROR: Error, Status.SKIPPED: Skipped}
    for suite, exercise in zip(suites, report.exercises):
        expected = counts(exercise.checks)
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == tuple(
            int(expected[key]) for key in ("tests", "failures", "errors", "skipped")
        )
        for case, check in zip(suite, exercise.checks):
            assert case.name == check.id and case.classname == exercise.id
            assert case.is_passed is (check.status is Status.PASSED)
            if check.status in kinds:
                assert [type(result) for result in case.result] == [kinds[check.status]]
                assert case.result[0].message == check.message


def test_hint_label_in_french():
    root = ET.fromstring(render(lang="fr"))
    failure = root.find("testsuite").findall("testcase")[1].find("failure")
    assert failure.text == "message of network-subnet\nconseil: hint for network-subnet"


def test_check_offers_the_junit_format():
    run = docker_grade("check", "--help")
    assert run.exit_code == 0 and "junit" in run.stdout
