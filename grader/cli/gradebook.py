from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.cli.output import write_output

if TYPE_CHECKING:
    from grader.batch.lms.grades_dir import ImportFile

grades_dir_argument = click.argument(
    "grades_dir", type=click.Path(file_okay=False, path_type=Path), metavar="GRADES_DIR"
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Write the CSV to FILE [default: standard output].",
)


@click.group()
def gradebook() -> None:
    """Grade files for an LMS's import, from GRADES_DIR (the --out folder of batch).

    Every <student_id>.json there is read first: a file that is not a report refuses the whole
    folder, and nothing is written. The students left out, and why, are listed on standard
    error, one a line.
    """


@gradebook.command()
@grades_dir_argument
@click.option(
    "--template",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="EXPORT.csv",
    help="The gradebook exported from Canvas (Grades > Export), as it is.",
)
@click.option(
    "--assignment",
    required=True,
    metavar='"NAME (ID)"',
    help="The assignment column to fill, as the export names it (or its name or id alone).",
)
@output_option
def canvas(*, grades_dir: Path, template: Path, assignment: str, output: str) -> None:
    """Canvas's export with ASSIGNMENT filled in, for Grades > Import.

    Students are found by SIS User ID, else SIS Login ID (the roster's student_id). Only the
    student columns and the assignment's are written: the other grades in Canvas stay as
    they are.
    """
    from grader.batch.lms.canvas import canvas_import
    from grader.batch.lms.grades_dir import load_grades

    _finish(canvas_import(template, assignment, load_grades(grades_dir)), output)


@gradebook.command()
@grades_dir_argument
@click.option(
    "--identifier",
    type=click.Choice(["idnumber", "email", "username"]),
    default="idnumber",
    show_default=True,
    help="The Moodle user field the roster's student_id is.",
)
@click.option(
    "--item",
    default="docker-grade",
    show_default=True,
    help="The grade column's name (a new grade item gets it).",
)
@click.option("--feedback", is_flag=True, help="Add a feedback column: each exercise's points.")
@output_option
def moodle(*, grades_dir: Path, identifier: str, item: str, feedback: bool, output: str) -> None:
    """A CSV for Moodle's grade import (Grades > Import > CSV file): one row per report."""
    from grader.batch.lms.grades_dir import load_grades
    from grader.batch.lms.moodle import IDENTIFIERS, map_to, moodle_import

    result = moodle_import(
        load_grades(grades_dir), identifier=identifier, item=item, feedback=feedback
    )
    _finish(result, output)
    column = IDENTIFIERS[identifier][0]
    click.echo(
        f'docker-grade: in Moodle\'s preview, map "{column}" to {map_to(identifier)} '
        f'and "{item}" to the grade item',
        err=True,
    )


def _finish(result: ImportFile, output: str) -> None:
    for note in result.notes:
        click.echo(f"docker-grade: {note}", err=True)
    write_output(output, lambda color: result.text)
