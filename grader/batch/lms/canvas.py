"""Canvas: the gradebook Canvas exported (Grades > Export), with one assignment filled in from
the reports, to import back (Grades > Import).

The export's layout is Canvas's own (instructure/canvas-lms, ``lib/gradebook_exporter.rb``): a
header ``Student, ID, SIS User ID, SIS Login ID[, Integration ID][, Root Account], Section``
(``LastName, FirstName, ...`` when the course shows names split), the custom columns, one
column per assignment named ``Title (id)``, the totals; a row marking manually posted
assignments (``Manual Posting``) when there are some; a row ``    Points Possible``; one row per
student, the test student last. Its separator is ``,`` or ``;``.

What is written: the student columns (up to ``Section``) and the chosen assignment's, every row
kept. The importer (``app/models/gradebook_importer.rb``) needs no more: it finds the student
columns in the header, matches each row by Canvas ID, SIS User ID or SIS Login ID, and applies
every cell that differs from the grade Canvas holds. The whole export written back would also
put back, in every other column, the grades as they were when it was exported, undoing any
change made in Canvas since.

A report's student is the row whose SIS User ID, else SIS Login ID, is the roster's student_id.
The cell of a student without a report is left as exported: a blank over a grade is read as
removing it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from grader.batch.lms.grades_dir import Grades, ImportFile, point_text
from grader.errors import UsageError

ASSIGNMENT = re.compile(r"^(?P<title>.*?)\s*\((?P<id>\d+)\)$")
SECTION, SIS_USER_ID, SIS_LOGIN_ID = "Section", "SIS User ID", "SIS Login ID"
_POINTS_POSSIBLE = "Points Possible"
_HIDDEN_CELL = re.compile(r"\s*(Muted|Manual Posting.*)?\s*", re.IGNORECASE)  # as the importer
_READ_ONLY = re.compile(r"read\s+only")


@dataclass(frozen=True)
class _Row:
    line: int  # where it starts in the export
    cells: list[str]


@dataclass(frozen=True)
class _Export:
    path: Path
    delimiter: str
    header: list[str]
    rows: list[_Row]  # after the header, blank lines left out
    student_columns: int  # up to and including Section


def canvas_import(template: Path, assignment: str, grades: Grades) -> ImportFile:
    export = _read(template)
    column = _assignment_column(export, assignment)
    name = export.header[column].strip()
    rows_of = _match(export, grades)
    points_possible = next((row for row in export.rows if _is_points_row(row)), None)
    if points_possible and _READ_ONLY.search(points_possible.cells[column]):
        raise UsageError(f"{template}: {name!r} is read only in Canvas: choose an assignment")
    students = {line: student for student, line in rows_of.items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=export.delimiter, lineterminator="\n")
    writer.writerow(export.header[: export.student_columns] + [export.header[column]])
    for row in export.rows:
        cell = row.cells[column]
        if row.line in students:
            cell = point_text(grades.reports[students[row.line]].score)
        writer.writerow(row.cells[: export.student_columns] + [cell])
    notes = _unmatched_reports(export, grades, rows_of)
    notes += _rows_without_report(export, grades, students, name)
    notes += _scale_note(points_possible, column, name, grades)
    return ImportFile(buffer.getvalue(), notes)


# -- reading the export -------------------------------------------------------------------------
def _read(path: Path) -> _Export:
    try:
        text = path.read_text(encoding="utf-8-sig")  # Canvas may start it with a BOM
    except OSError as error:
        raise UsageError(f"{path}: cannot read the Canvas export: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(
            f"{path}: not UTF-8 text: export the gradebook from Canvas again"
        ) from None
    delimiter = _delimiter(text.splitlines()[:3])
    parsed = _rows(path, text, delimiter)
    if not parsed:
        raise UsageError(f"{path}: empty: export the gradebook from Canvas (Grades > Export)")
    header = parsed[0].cells
    student_columns = _student_columns(path, header)
    for row in parsed[1:]:
        if len(row.cells) != len(header):
            raise UsageError(
                f"{path}:{row.line}: {len(row.cells)} fields, the header has {len(header)}"
            )
    return _Export(path, delimiter, header, parsed[1:], student_columns)


def _delimiter(lines: list[str]) -> str:
    """``;`` when it splits the first lines into more fields, and as many on each line, than
    ``,`` does: the importer's own test (``identify_delimiter``)."""
    counts = {}
    for separator in (";", ","):
        try:
            fields = [len(next(csv.reader([line], delimiter=separator), [])) for line in lines]
        except csv.Error:
            fields = []
        counts[separator] = fields[0] if fields and len(set(fields)) == 1 else 0
    return ";" if counts[";"] > counts[","] else ","


def _rows(path: Path, text: str, delimiter: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):  # blank lines, as the importer skips them
                rows.append(_Row(start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise UsageError(f"{path}:{reader.line_num}: not CSV: {error}") from None
    return rows


def _student_columns(path: Path, header: list[str]) -> int:
    names = [cell.strip() for cell in header]
    by_student = len(names) > 3 and "Student" in names[0] and "ID" in names[1]
    by_names = len(names) > 4 and names[0] == "LastName" and names[1] == "FirstName"
    if not (by_student or by_names) or SECTION not in names:
        raise UsageError(
            f"{path}:1: not a Canvas gradebook export: its header starts "
            f"Student, ID, ..., Section; this one starts {', '.join(names[:3])}"
        )
    return names.index(SECTION) + 1


def _assignment_column(export: _Export, wanted: str) -> int:
    """The column named ``wanted`` ("Title (id)"), or whose title or id alone it is when only
    one column has it."""
    matches = {
        index: ASSIGNMENT.match(export.header[index].strip())
        for index in range(export.student_columns, len(export.header))
    }
    columns = {index: match for index, match in matches.items() if match}
    wanted = wanted.strip()
    exact = [i for i in columns if export.header[i].strip() == wanted]
    partial = [i for i, match in columns.items() if wanted in (match["title"], match["id"])]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    names = ", ".join(repr(export.header[i].strip()) for i in columns) or "none"
    raise UsageError(f"{export.path}: no assignment {wanted!r}; its assignments: {names}")


def _is_points_row(row: _Row) -> bool:
    return _POINTS_POSSIBLE in row.cells[0]


def _is_student_row(row: _Row) -> bool:
    hidden = all(_HIDDEN_CELL.fullmatch(cell) for cell in row.cells)
    return not (_is_points_row(row) or hidden)


# -- matching students --------------------------------------------------------------------------
def _match(export: _Export, grades: Grades) -> dict[str, int]:
    """``{student id: line of their row}`` for the reports' students found in the export."""
    id_columns = _id_columns(export)
    if not id_columns:
        raise UsageError(
            f"{export.path}:1: no {SIS_USER_ID} or {SIS_LOGIN_ID} column to find the students "
            "by: export the gradebook with them"
        )
    found: dict[str, int] = {}
    matched_by: dict[int, str] = {}
    for student in grades.reports:
        lines = _rows_of_student(export, id_columns, student)
        if len(lines) > 1:
            raise UsageError(
                f"{export.path}: lines {lines[0]} and {lines[1]} are both student {student!r}"
            )
        if not lines:
            continue
        if lines[0] in matched_by:
            raise UsageError(
                f"{export.path}:{lines[0]}: both student {matched_by[lines[0]]!r} and {student!r}"
            )
        found[student], matched_by[lines[0]] = lines[0], student
    return found


def _id_columns(export: _Export) -> list[int]:
    names = [cell.strip() for cell in export.header[: export.student_columns]]
    return [names.index(name) for name in (SIS_USER_ID, SIS_LOGIN_ID) if name in names]


def _rows_of_student(export: _Export, id_columns: list[int], student: str) -> list[int]:
    """The lines whose SIS User ID is ``student``, else those whose SIS Login ID is."""
    for column in id_columns:
        lines = _lines_with(export, column, student)
        if lines:
            return lines
    return []


def _lines_with(export: _Export, column: int, student: str) -> list[int]:
    return [
        row.line
        for row in export.rows
        if _is_student_row(row) and row.cells[column].strip() == student
    ]


# -- what the instructor is told ----------------------------------------------------------------
def _unmatched_reports(export: _Export, grades: Grades, rows_of: dict[str, int]) -> list[str]:
    return [
        f"{student}: not in {export.path.name} (no {SIS_USER_ID} or {SIS_LOGIN_ID} "
        f"{student!r}): not imported"
        for student in grades.reports
        if student not in rows_of
    ]


def _rows_without_report(
    export: _Export, grades: Grades, students: dict[int, str], name: str
) -> list[str]:
    notes = []
    for row in export.rows:
        if not _is_student_row(row) or row.line in students:
            continue
        ids = [row.cells[column].strip() for column in _id_columns(export)]
        known = next((i for i in ids if i), "")
        reason = next((grades.not_graded[i] for i in ids if i in grades.not_graded), "no report")
        who = f"{row.cells[0].strip()} ({known})" if known else row.cells[0].strip()
        notes.append(f"{export.path.name}:{row.line}: {who}: {reason}: {name!r} left as exported")
    return notes


def _scale_note(points_row: _Row | None, column: int, name: str, grades: Grades) -> list[str]:
    """Canvas records the points it is given: a different maximum is worth saying once."""
    if points_row is None:
        return []
    try:
        possible = float(points_row.cells[column].strip().replace(",", "."))
    except ValueError:
        return []
    maxima = sorted({report.max_score for report in grades.reports.values()})
    if maxima == [possible]:
        return []
    return [
        f"{name!r} is out of {point_text(possible)} points in Canvas, the reports out of "
        f"{', '.join(point_text(m) for m in maxima)}: docker-grade's points are written as is"
    ]
