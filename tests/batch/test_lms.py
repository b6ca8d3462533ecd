"""Grade files for Canvas and Moodle from a batch's GRADES_DIR: Canvas's own export
(samples/canvas_export.csv, laid out as lib/gradebook_exporter.rb writes it) filled in, read
back as app/models/gradebook_importer.rb reads it; Moodle's CSV import as
grade/import/csv/classes/load_data.php reads it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from grader.batch.lms.canvas import canvas_import
from grader.batch.lms.grades_dir import load_grades, point_text
from grader.batch.lms.moodle import moodle_import
from grader.errors import UsageError
from grader.report.models import SCHEMA_VERSION
from support.cli import docker_grade
from support.reports import sample_report

SAMPLES = Path(__file__).parent / "samples"
EXPORT = SAMPLES / "canvas_export.csv"
ASSIGNMENT = "Docker: networks and volumes (48213)"
GRADEBOOK = (
    "student_id,name,score,max_score,custom-bridge,network-isolation,status\n"
    "s02,Bob Durand,11,11,4,2,graded\n"
    "s01,Ana Martin,9.5,11,4,2,graded\n"
    "s03,Chloé Petit,,,,,ungradable: ssh://chloe@lab-03: no engine answers there\n"
)


def write_report(folder: Path, student: str, score: float, max_score: float = 11.0) -> Path:
    report = sample_report(student).model_copy(update={"score": score, "max_score": max_score})
    path = folder / f"{student}.json"
    path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return path


@pytest.fixture
def grades_dir(tmp_path) -> Path:
    """s01 and s02 graded, s03 ungradable, s05 graded but not in Canvas; s04 is in Canvas only."""
    folder = tmp_path / "grades"
    folder.mkdir()
    write_report(folder, "s01", 9.5)
    write_report(folder, "s02", 11.0)
    write_report(folder, "s05", 3.25)
    (folder / "gradebook.csv").write_text(GRADEBOOK, encoding="utf-8")
    (folder / "summary.html").write_text("<html></html>", encoding="utf-8")
    return folder


def rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def canvas_reads(text: str) -> dict[str, str]:
    """The importer's reading of a file (gradebook_importer.rb): the header's student columns
    (row 0 holds "Student", row 1 "ID", then SIS User ID and SIS Login ID, the last one
    "Section"), assignments as "Title (id)", the Points Possible and Manual Posting rows
    skipped; ``{SIS User ID or SIS Login ID: grade}`` of each student row."""
    header, *body = rows(text)
    assert "Student" in header[0] and "ID" in header[1]
    assert re.match(r"SIS\s+User\s+ID", header[2]) and re.match(r"SIS\s+Login\s+ID", header[3])
    assert "Section" in header[4]
    assert all(re.fullmatch(r".+ \(\d+\)", title) for title in header[5:])
    grades = {}
    for row in body:
        assert len(row) == len(header)
        if "Points Possible" in row[0]:
            continue
        if all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", cell, re.I) for cell in row):
            continue
        grades[row[2] or row[3]] = row[5]
    return grades


# -- GRADES_DIR ---------------------------------------------------------------------------------
def test_reads_every_report_in_roster_order_and_who_was_not_graded(grades_dir):
    grades = load_grades(grades_dir)
    assert list(grades.reports) == ["s02", "s01", "s05"]  # gradebook.csv's order, then the rest
    assert grades.reports["s01"].score == 9.5
    assert grades.not_graded == {"s03": "ssh://chloe@lab-03: no engine answers there"}


def test_without_a_gradebook_the_reports_come_by_name(grades_dir):
    (grades_dir / "gradebook.csv").unlink()
    grades = load_grades(grades_dir)
    assert list(grades.reports) == ["s01", "s02", "s05"] and grades.not_graded == {}


@pytest.mark.parametrize(
    "content, said",
    [
        ("{not json", "not a docker-grade report (not JSON"),
        ('{"name": "not a report"}', "not a docker-grade report (no exercises)"),
        ('{"schema_version": "2.0", "exercises": []}', "a report of schema 2.0"),
        ('{"schema_version": "1.0", "exercises": []}', "not a docker-grade report (tool:"),
    ],
)
def test_a_file_that_is_not_a_report_refuses_the_folder_naming_it(grades_dir, content, said):
    bad = grades_dir / "s09.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_grades(grades_dir)
    assert raised.value.message.startswith(f"{bad}: ") and said in raised.value.message


def test_the_schema_of_this_version_and_an_older_minor_are_read(grades_dir):
    data = json.loads((grades_dir / "s01.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    data["schema_version"] = SCHEMA_VERSION.split(".")[0] + ".0"
    (grades_dir / "s01.json").write_text(json.dumps(data))
    assert load_grades(grades_dir).reports["s01"].score == 9.5


def test_a_report_without_student_or_twice_the_same_student_is_refused(grades_dir, tmp_path):
    nameless = grades_dir / "nobody.json"
    nameless.write_text(sample_report(None).model_dump_json(), encoding="utf-8")
    with pytest.raises(UsageError, match=r"nobody\.json: the report names no student"):
        load_grades(grades_dir)
    nameless.write_text(sample_report("s01").model_dump_json(), encoding="utf-8")
    with pytest.raises(UsageError, match=r"s01\.json: student 's01' already graded in .*nobody"):
        load_grades(grades_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="no <student_id>.json report"):
        load_grades(empty)


def test_points_are_written_with_at_most_two_decimals():
    assert [point_text(v) for v in (11.0, 9.5, 3.25, 2 / 3, 0.0, -0.001)] == [
        "11",
        "9.5",
        "3.25",
        "0.67",
        "0",
        "0",
    ]


# -- Canvas -------------------------------------------------------------------------------------
def test_canvas_fills_the_assignment_of_the_students_found(grades_dir):
    result = canvas_import(EXPORT, ASSIGNMENT, load_grades(grades_dir))
    assert rows(result.text) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT],
        ["", "", "", "", "", "Manual Posting"],
        ["    Points Possible", "", "", "", "", "11.00"],
        ["Martin, Ana", "4101", "s01", "ana.martin", "Docker 2026 - Group A", "9.5"],
        # s02 is Bob's SIS Login ID: his SIS User ID is the university's
        ["Durand, Bob", "4102", "2026-0002", "s02", "Docker 2026 - Group A", "11"],
        # ungradable: the grade Canvas has stays (a blank would remove it)
        ["Petit, Chloé", "4103", "s03", "chloe.petit", "Docker 2026 - Group B", "7.00"],
        [
            "Nguyen, Dan",
            "4104",
            "s04",
            "dan.nguyen",
            "Docker 2026 - Group A and Docker 2026 - Group B",
            "",
        ],
        [
            "Student, Test",
            "4199",
            "",
            "b7f3c2e1a9d04e6f8c1b2a3d4e5f6a7b",
            "Docker 2026 - Group A",
            "",
        ],
    ]
    assert canvas_reads(result.text) == {
        "s01": "9.5",
        "2026-0002": "11",
        "s03": "7.00",
        "s04": "",
        "b7f3c2e1a9d04e6f8c1b2a3d4e5f6a7b": "",
    }


def test_canvas_lists_the_students_missing_on_either_side(grades_dir):
    notes = canvas_import(EXPORT, ASSIGNMENT, load_grades(grades_dir)).notes
    name = repr(ASSIGNMENT)
    assert notes == [
        "s05: not in canvas_export.csv (no SIS User ID or SIS Login ID 's05'): not imported",
        "canvas_export.csv:6: Petit, Chloé (s03): ssh://chloe@lab-03: no engine answers there: "
        f"{name} left as exported",
        f"canvas_export.csv:7: Nguyen, Dan (s04): no report: {name} left as exported",
        "canvas_export.csv:8: Student, Test (b7f3c2e1a9d04e6f8c1b2a3d4e5f6a7b): no report: "
        f"{name} left as exported",
    ]


def test_canvas_assignment_by_its_title_or_id_alone(grades_dir):
    grades = load_grades(grades_dir)
    by_title = canvas_import(EXPORT, "Quiz 1", grades)
    assert rows(by_title.text)[0][-1] == "Quiz 1 (48190)"
    assert rows(by_title.text)[3][-1] == "9.5"
    by_id = canvas_import(EXPORT, "48213", grades)
    assert rows(by_id.text)[0][-1] == ASSIGNMENT
    # Quiz 1 is out of 10, the reports out of 11: said once
    assert by_title.notes[-1] == (
        "'Quiz 1 (48190)' is out of 10 points in Canvas, the reports out of 11: "
        "docker-grade's points are written as is"
    )


def test_canvas_unknown_assignment_lists_those_that_exist(grades_dir):
    with pytest.raises(UsageError) as raised:
        canvas_import(EXPORT, "Docker (1)", load_grades(grades_dir))
    assert raised.value.message == (
        f"{EXPORT}: no assignment 'Docker (1)'; its assignments: "
        "'Docker: networks and volumes (48213)', 'Quiz 1 (48190)'"
    )
    for total in ("Current Score", "Notes", "Section"):  # not assignments
        with pytest.raises(UsageError, match="no assignment"):
            canvas_import(EXPORT, total, load_grades(grades_dir))


def test_canvas_malformed_exports_name_the_line(grades_dir, tmp_path):
    grades = load_grades(grades_dir)
    lines = EXPORT.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:4] + [lines[4].rsplit(",", 1)[0]] + lines[5:]) + "\n")
    with pytest.raises(UsageError) as raised:
        canvas_import(short, ASSIGNMENT, grades)
    assert raised.value.message == f"{short}:5: 15 fields, the header has 16"
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,name,docker_host\ns01,Ana,unix:///x\n", encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        canvas_import(roster, ASSIGNMENT, grades)
    assert raised.value.message == (
        f"{roster}:1: not a Canvas gradebook export: its header starts Student, ID, ..., "
        "Section; this one starts student_id, name, docker_host"
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"empty\.csv: empty"):
        canvas_import(empty, ASSIGNMENT, grades)
    missing = tmp_path / "absent.csv"
    with pytest.raises(UsageError, match=r"absent\.csv: cannot read the Canvas export"):
        canvas_import(missing, ASSIGNMENT, grades)


def test_canvas_needs_sis_ids_to_find_students(grades_dir, tmp_path):
    no_sis = tmp_path / "no_sis.csv"
    no_sis.write_text(
        'Student,ID,Section,Docker (7)\n    Points Possible,,,11.00\n"Martin, Ana",4101,A,\n',
        encoding="utf-8",
    )
    with pytest.raises(UsageError) as raised:
        canvas_import(no_sis, "Docker (7)", load_grades(grades_dir))
    assert raised.value.message == (
        f"{no_sis}:1: no SIS User ID or SIS Login ID column to find the students by: "
        "export the gradebook with them"
    )


def test_canvas_two_rows_of_one_student_are_refused(grades_dir, tmp_path):
    twice = tmp_path / "twice.csv"
    lines = EXPORT.read_text(encoding="utf-8").splitlines()
    twice.write_text("\n".join(lines + [lines[3].replace("4101", "4111")]) + "\n")
    with pytest.raises(UsageError, match=r"twice\.csv: lines 4 and 9 are both student 's01'"):
        canvas_import(twice, ASSIGNMENT, load_grades(grades_dir))


def test_canvas_semicolon_export_with_a_bom_and_split_names(grades_dir, tmp_path):
    """A course whose users' CSV settings use ';' (CSVWithI18n) and show last and first names
    apart; the importer detects the separator from the first lines."""
    export = tmp_path / "export.csv"
    header = ["LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    body = [
        ["    Points Possible", "", "", "", "", "", "11,00"],
        ["Martin", "Ana", "4101", "s01", "ana.martin", "Groupe A", ""],
        ["Durand", "Bob", "4102", "", "s02", "Groupe A", "3,50"],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([header, *body])
    export.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8", newline="")
    result = canvas_import(export, ASSIGNMENT, load_grades(grades_dir))
    assert rows(result.text, ";") == [
        header,
        ["    Points Possible", "", "", "", "", "", "11,00"],
        ["Martin", "Ana", "4101", "s01", "ana.martin", "Groupe A", "9.5"],
        ["Durand", "Bob", "4102", "", "s02", "Groupe A", "11"],
    ]
    assert not any("out of" in note for note in result.notes)  # 11,00 is 11


def test_canvas_read_only_column_is_refused(grades_dir, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Bonus (12)\n"
        "    Points Possible,,,,,(read only)\n"
        '"Martin, Ana",4101,s01,ana.martin,A,\n',
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match="'Bonus \\(12\\)' is read only in Canvas"):
        canvas_import(export, "Bonus (12)", load_grades(grades_dir))


# -- Moodle -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "identifier, column",
    [("idnumber", "ID number"), ("email", "Email address"), ("username", "Username")],
)
def test_moodle_one_row_per_report_under_the_identifier_moodle_exports(
    tmp_path, identifier, column
):
    folder = tmp_path / "grades"
    folder.mkdir()
    ids = {"idnumber": ["20260001", "20260002"], "username": ["amartin", "bdurand"]}.get(
        identifier, ["ana.martin@example.edu", "bob.durand@example.edu"]
    )
    write_report(folder, ids[0], 9.5)
    write_report(folder, ids[1], 2 / 3)
    result = moodle_import(load_grades(folder), identifier=identifier, feedback=False)
    assert rows(result.text) == [[column, "docker-grade"], [ids[0], "9.5"], [ids[1], "0.67"]]
    assert result.notes == []


def test_moodle_feedback_and_the_students_left_out(grades_dir):
    result = moodle_import(load_grades(grades_dir), item="TP Docker", feedback=True)
    assert rows(result.text) == [
        ["ID number", "TP Docker", "Feedback: TP Docker"],
        ["s02", "11", "custom-bridge 2/4; network-isolation 0/2"],
        ["s01", "9.5", "custom-bridge 2/4; network-isolation 0/2"],
        ["s05", "3.25", "custom-bridge 2/4; network-isolation 0/2"],
    ]
    assert result.notes == [
        "s03: ssh://chloe@lab-03: no engine answers there: left out, their grade in Moodle "
        "stays as it is"
    ]


def test_moodle_reads_the_grades_as_its_import_does(grades_dir):
    """load_data.php: each non-empty line is a student, found by the mapped column (an empty
    identifier or an unknown user aborts the import), the grade unformat_float'ed."""
    header, *body = rows(moodle_import(load_grades(grades_dir), feedback=False).text)
    assert len(set(header)) == len(header)
    for student, grade in body:
        assert student.strip() and float(grade) >= 0


def test_moodle_email_identifier_needs_email_ids(grades_dir):
    with pytest.raises(UsageError) as raised:
        moodle_import(load_grades(grades_dir), identifier="email", feedback=False)
    assert raised.value.message == (
        "student 's02' is no email address: with --identifier email, the roster's student_id "
        "must be the student's Moodle email"
    )


# -- the command line ---------------------------------------------------------------------------
def canvas_cli(grades_dir: Path, assignment: str, *extra: str):
    return docker_grade(
        "gradebook",
        "canvas",
        str(grades_dir),
        "--template",
        str(EXPORT),
        "--assignment",
        assignment,
        *extra,
    )


def test_cli_canvas_writes_the_file_and_lists_the_missing_on_stderr(grades_dir, tmp_path):
    out = tmp_path / "import.csv"
    run = canvas_cli(grades_dir, ASSIGNMENT, "-o", str(out))
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    assert canvas_reads(out.read_text(encoding="utf-8"))["s01"] == "9.5"
    lines = run.stderr.splitlines()
    assert len(lines) == 4 and all(line.startswith("docker-grade: ") for line in lines)
    assert lines[0] == (
        "docker-grade: s05: not in canvas_export.csv (no SIS User ID or SIS Login ID 's05'): "
        "not imported"
    )


def test_cli_canvas_to_stdout(grades_dir):
    run = canvas_cli(grades_dir, "48213")
    assert run.exit_code == 0 and canvas_reads(run.stdout)["2026-0002"] == "11"


def test_cli_errors_are_one_line_exit_2_and_write_nothing(grades_dir, tmp_path):
    out = tmp_path / "import.csv"
    (grades_dir / "s09.json").write_text('{"schema_version": "2.1", "exercises": []}')
    run = docker_grade("gradebook", "moodle", str(grades_dir), "-o", str(out))
    assert run.exit_code == 2 and not out.exists()
    assert run.stderr.startswith(f"docker-grade: {grades_dir / 's09.json'}: a report of schema 2.1")
    assert run.stderr.count("\n") == 1
    (grades_dir / "s09.json").unlink()
    run = canvas_cli(grades_dir, "Docker", "-o", str(out))
    assert run.exit_code == 2 and not out.exists()
    assert run.stderr.count("\n") == 1 and "no assignment 'Docker'; its assignments: " in run.stderr
    run = docker_grade("gradebook", "moodle", str(tmp_path / "nowhere"))
    assert run.exit_code == 2 and run.stderr.count("\n") == 1 and "no such folder" in run.stderr


def test_cli_moodle_says_how_to_map_the_columns(grades_dir):
    run = docker_grade("gradebook", "moodle", str(grades_dir), "--identifier", "username")
    assert run.exit_code == 0, run.stderr
    assert rows(run.stdout)[0] == ["Username", "docker-grade"]
    assert run.stderr.splitlines() == [
        "docker-grade: s03: ssh://chloe@lab-03: no engine answers there: left out, their grade "
        "in Moodle stays as it is",
        'docker-grade: in Moodle\'s preview, map "Username" to username and "docker-grade" to '
        "the grade item",
    ]


def test_cli_gradebook_help_names_both():
    run = docker_grade("gradebook", "--help")
    assert run.exit_code == 0 and "canvas" in run.stdout and "moodle" in run.stdout
