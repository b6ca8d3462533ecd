"""rescore: scores computed again from stored statuses with today's weights and requires,
without any engine; a report that no longer matches the specs is refused, nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from grader.report.models import ExerciseResult, Status
from grader.resources import builtin_pack_dir
from support.cli import docker_grade
from support.reports import check, sample_report

BRIDGE = {
    "network-exists": Status.PASSED,
    "network-driver": Status.PASSED,
    "network-subnet": Status.PASSED,
    "container-attached": Status.PASSED,
    "container-detached-tty": Status.FAILED,
}


def _report(path: Path, student: str = "alice", statuses=BRIDGE, weight: float = 2.0) -> Path:
    """A custom-bridge report as graded with an older rubric (every check worth 2)."""
    checks = [check(check_id, status, weight) for check_id, status in statuses.items()]
    exercise = ExerciseResult(
        id="custom-bridge",
        title="A bridge network",
        score=sum(c.score for c in checks),
        max_score=weight * len(checks),
        checks=checks,
    )
    report = sample_report(student).model_copy(
        update={"exercises": [exercise], "score": exercise.score, "max_score": exercise.max_score}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2))
    return path


def _pack_with_new_weights(folder: Path) -> Path:
    """custom-bridge where network-subnet weighs 3 and container-attached requires it."""
    spec = (builtin_pack_dir() / "exercises" / "custom-bridge.yaml").read_text()
    spec = spec.replace(
        "  - id: network-subnet\n    weight: 1", "  - id: network-subnet\n    weight: 3"
    ).replace(
        "  - id: container-attached\n    weight: 1\n    requires: [network-exists]",
        "  - id: container-attached\n    weight: 1\n    requires: [network-exists, network-subnet]",
    )
    (folder / "exercises").mkdir(parents=True)
    (folder / "exercises" / "custom-bridge.yaml").write_text(spec)
    return folder


def test_todays_weights_replace_the_stored_ones(tmp_path):
    report = _report(tmp_path / "alice.json")
    out = tmp_path / "out"
    run = docker_grade("rescore", str(report), "-o", str(out))
    assert run.exit_code == 0, run.stderr
    rescored = json.loads((out / "alice.json").read_text())
    assert (rescored["score"], rescored["max_score"]) == (4.0, 5.0)
    checks = {
        c["id"]: (c["status"], c["score"], c["max_score"])
        for c in rescored["exercises"][0]["checks"]
    }
    assert checks["network-subnet"] == ("passed", 1.0, 1.0)
    assert checks["container-detached-tty"] == ("failed", 0.0, 1.0)
    listed = docker_grade("rescore", str(report))
    assert listed.stdout.strip() == f"{report}: 8/10 -> 4/5"


def test_a_new_requirement_skips_what_it_guards(tmp_path):
    statuses = {**BRIDGE, "network-subnet": Status.FAILED}
    report = _report(tmp_path / "alice.json", statuses=statuses)
    pack = _pack_with_new_weights(tmp_path / "pack")
    out = tmp_path / "out"
    run = docker_grade(
        "rescore", str(report), "--exercises", str(pack), "-o", str(out), "--lang", "en"
    )
    assert run.exit_code == 0, run.stderr
    checks = {
        c["id"]: c for c in json.loads((out / "alice.json").read_text())["exercises"][0]["checks"]
    }
    assert checks["network-subnet"]["max_score"] == 3.0 and checks["network-subnet"]["score"] == 0
    assert checks["container-attached"]["status"] == "skipped"
    assert (
        "prerequisite check 'network-subnet' did not pass"
        in checks["container-attached"]["message"]
    )
    assert checks["container-attached"]["hint"]  # a check no longer passed says how to fix it


def test_reports_that_do_not_match_are_refused_and_nothing_is_written(tmp_path):
    good = _report(tmp_path / "good.json")
    gone = _report(tmp_path / "gone.json", statuses={**BRIDGE, "network-colour": Status.PASSED})
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**json.loads(good.read_text()), "schema_version": "2.0"}))
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    out = tmp_path / "out"
    for bad, reason in [
        (gone, "custom-bridge: check(s) network-colour no longer exist: grade again"),
        (old, "a report of schema 2.0"),
        (other, "not a docker-grade report"),
    ]:
        run = docker_grade("rescore", str(good), str(bad), "-o", str(out))
        assert run.exit_code == 2 and "Traceback" not in run.stderr, run.stderr
        assert f"{bad}: " in run.stderr and reason in run.stderr
        assert not out.exists()


def test_batch_rescore_rewrites_the_gradebook_without_any_engine(tmp_path):
    grades = tmp_path / "grades"
    _report(grades / "alice.json")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,name,docker_host\nalice,Alice,unix:///nowhere.sock\n"
        "bob,Bob,unix:///nowhere.sock\n"
    )
    out = tmp_path / "out"
    run = docker_grade(
        "batch", str(roster), "custom-bridge", "--rescore", str(grades), "--out", str(out)
    )
    assert run.exit_code == 3, run.stderr  # bob has no report
    with (out / "gradebook.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert (rows[0]["student_id"], rows[0]["score"], rows[0]["max_score"]) == ("alice", "4", "5")
    assert rows[1]["status"] == f"ungradable: no report bob.json in {grades}"
    assert json.loads((out / "alice.json").read_text())["score"] == 4.0
    assert (out / "summary.html").is_file()


def test_a_check_skipped_for_a_requirement_that_is_gone_cannot_be_rescored(tmp_path):
    """It was never run: what it would say today is unknown."""
    statuses = {
        **BRIDGE,
        "container-attached": Status.FAILED,
        "container-detached-tty": Status.SKIPPED,
    }
    report = _report(tmp_path / "alice.json", statuses=statuses)
    spec = (builtin_pack_dir() / "exercises" / "custom-bridge.yaml").read_text()
    pack = tmp_path / "pack"
    (pack / "exercises").mkdir(parents=True)
    (pack / "exercises" / "custom-bridge.yaml").write_text(
        spec.replace("    requires: [container-attached]\n", "")
    )
    run = docker_grade("rescore", str(report), "--exercises", str(pack), "-o", str(tmp_path / "o"))
    assert run.exit_code == 2
    assert "custom-bridge/container-detached-tty was skipped" in run.stderr
    assert not (tmp_path / "o").exists()
