"""list, explain, schema, --version, python -m grader, and the report written to a file."""

import json
import subprocess
import sys

import jsonschema

from support.cli import docker_grade, grade

RUBRIC_IDS = {"custom-bridge": 5.0, "network-isolation": 6.0, "nginx-ro-volume": 6.0}


def test_list_json_has_ids_titles_and_max_scores():
    run = docker_grade("list", "--format", "json", "--lang", "en")
    rows = {row["id"]: row for row in json.loads(run.stdout)}
    assert run.exit_code == 0
    for exercise_id, max_score in RUBRIC_IDS.items():
        assert rows[exercise_id]["max_score"] == max_score and rows[exercise_id]["title"]


def test_list_text_in_french():
    run = docker_grade("list", "--lang", "fr")
    assert "custom-bridge" in run.stdout and "Un réseau bridge" in run.stdout


def test_explain_shows_statement_params_and_weighted_checks():
    run = docker_grade("explain", "network-isolation", "--lang", "en")
    assert run.exit_code == 0
    assert "ping A from B" in run.stdout
    assert "a = (discovered)" in run.stdout
    assert "b-cannot-reach-a (2)" in run.stdout and "(6 pts)" in run.stdout


def test_explain_with_set_shows_a_students_own_values():
    run = docker_grade("explain", "custom-bridge", "--set", "subnet=192.168.7.0/24", "--lang", "en")
    assert run.exit_code == 0
    assert "--subnet=192.168.7.0/24 mybridge" in run.stdout
    assert "subnet = 192.168.7.0/24" in run.stdout and "192.168.0.0/24" not in run.stdout
    bad = docker_grade("explain", "custom-bridge", "--set", "subnet=nope")
    assert bad.exit_code == 2 and "not a subnet" in bad.stderr


def test_python_dash_m_grader_is_the_same_program(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "grader", "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert completed.returncode == 0 and completed.stdout.startswith("docker-grade, version")


def test_report_written_to_a_file_with_student_id(student, tmp_path):
    student.network("mybridge", subnet="192.168.0.0/24")
    output = tmp_path / "out" / "report.json"

    run = docker_grade(
        "check", "custom-bridge", "--format", "json", "-o", str(output), "--student", "s123"
    )

    assert run.exit_code == 1 and run.stdout == ""
    report = json.loads(output.read_text())
    jsonschema.validate(report, json.loads(docker_grade("schema").stdout))
    assert report["student"] == {"id": "s123"}
    assert report["host"]["engine_version"] and report["started_at"].endswith("Z")
    assert [e["id"] for e in report["exercises"]] == ["custom-bridge"]
    probe = report["host"]["probe_image"]  # built locally for the tests: no registry digest
    assert probe["reference"] == "busybox" and probe["id"].startswith("sha256:")
    assert probe["digests"] == []


def test_text_is_the_default_format(student):
    run = docker_grade("check", "custom-bridge", "--lang", "en")
    assert run.exit_code == 1 and "network-exists" in run.stdout and "Total:" in run.stdout


def test_all_exercises_when_none_is_named(student):
    run = grade()
    assert set(RUBRIC_IDS) <= {e["id"] for e in run.report["exercises"]}


def test_junit_and_gradescope_formats_from_a_real_run(student, tmp_path):
    import xml.etree.ElementTree as ET

    student.network("mybridge", subnet="192.168.0.0/16")
    junit = docker_grade("check", "custom-bridge", "--format", "junit")
    gradescope = docker_grade("check", "custom-bridge", "--format", "gradescope")

    suites = ET.fromstring(junit.stdout)
    assert junit.exit_code == gradescope.exit_code == 1
    assert (suites.get("tests"), suites.get("failures"), suites.get("skipped")) == ("5", "2", "1")
    results = json.loads(gradescope.stdout)
    assert results["score"] == 2 and len(results["tests"]) == 5
    assert {t["status"] for t in results["tests"]} == {"passed", "failed"}
