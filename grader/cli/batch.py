from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.cli.options import (
    context_option,
    exercises_option,
    lang_option,
    probe_image_option,
    resolve_lang,
    settings_option,
)
from grader.errors import ExitCode, UsageError

if TYPE_CHECKING:  # the batch modules (rich, jinja2, pydantic models) load when a batch runs
    from rich.table import Table

    from grader.batch.models import ClassResult, StudentRow
    from grader.batch.roster import RosterEntry

DEFAULT_JOBS = 8  # students are graded over the network: I/O-bound, not CPU-bound


@click.command()
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("exercises", nargs=-1)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for <student_id>.json, gradebook.csv and summary.html.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=64),
    default=DEFAULT_JOBS,
    show_default=True,
    help="Students graded at once.",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit for one student.",
)
@settings_option("Override an exercise param for every student.")
@lang_option
@exercises_option
@context_option(
    "Grade every student on the engine of this docker CLI context, instead of "
    "the roster's docker_host."
)
@probe_image_option
@click.option(
    "--rescore",
    "rescore_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    metavar="GRADES_DIR",
    help="Grade no engine: score the reports of GRADES_DIR again with today's weights, and "
    "write them, the gradebook and the summary to --out.",
)
def batch(
    *,
    exercise_packs: tuple[Path, ...],
    roster: Path,
    exercises: tuple[str, ...],
    out_dir: Path,
    jobs: int,
    timeout_s: float,
    settings: tuple[str, ...],
    lang: str | None,
    context: str | None,
    probe_image: str,
    rescore_dir: Path | None,
) -> None:
    """Grade every student of ROSTER (a CSV: student_id, docker_host[, name, tls_dir, folder,
    set])."""
    from rich.console import Console

    from grader.batch.grades_folder import write_class_files
    from grader.batch.models import ClassResult, RowStatus
    from grader.batch.roster import load_roster
    from grader.batch.runner import BatchOptions
    from grader.spec.catalog import Catalog

    lang = resolve_lang(lang)
    entries = load_roster(roster)
    if context:
        from grader.engine.contexts import resolve_endpoint  # the Docker SDK: only when asked

        entries = _on_engine(entries, resolve_endpoint(context=context))
    catalog = Catalog.load(exercise_packs)
    assignments = catalog.assign(list(exercises), list(settings))  # refuse bad input now
    _check_student_settings(catalog, roster, entries, exercises, settings)
    options = BatchOptions(
        tuple(exercises),
        tuple(settings),
        lang,
        timeout_s,
        probe_image,
        tuple(pack.resolve() for pack in exercise_packs),
    )
    if rescore_dir is not None:
        rows = _rescored(entries, rescore_dir, catalog, lang)  # every report read first
        out_dir.mkdir(parents=True, exist_ok=True)
        for row in rows:
            _write_report(out_dir, row)
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        rows = _graded(entries, options, jobs, out_dir)
    result = ClassResult(rows=rows, exercise_ids=[a.spec.id for a in assignments])
    write_class_files(out_dir, result, lang=lang)
    Console().print(_summary_table(result))
    graded_all = all(row.status is RowStatus.GRADED for row in rows)
    raise click.exceptions.Exit(ExitCode.ALL_PASSED if graded_all else ExitCode.ENGINE)


def _graded(entries: list[RosterEntry], options, jobs: int, out_dir: Path) -> list[StudentRow]:
    """Every student graded on their engine, their report written as soon as it is done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.batch.runner import grade_roster

    with Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("students", total=len(entries))

        def done(row: StudentRow) -> None:
            _write_report(out_dir, row)
            progress.advance(task)

        return grade_roster(entries, options, jobs=jobs, on_done=done)


def _rescored(entries: list[RosterEntry], grades: Path, catalog, lang: str) -> list[StudentRow]:
    """Every student's stored report scored again with today's weights (no engine); one that
    has no report there is a row that says so."""
    from grader.batch.models import RowStatus, StudentRow
    from grader.report.files import reports_in
    from grader.report.rescoring import rescore

    found = reports_in(grades)
    specs = {spec.id: spec for spec in catalog.exercises}
    rows = []
    for entry in entries:
        row = {"student_id": entry.student_id, "name": entry.name, "docker_host": entry.docker_host}
        if entry.student_id not in found:
            reason = f"no report {entry.student_id}.json in {grades}"
            rows.append(StudentRow(**row, status=RowStatus.UNGRADABLE, reason=reason))
            continue
        path, report = found[entry.student_id]
        rows.append(
            StudentRow(
                **row, status=RowStatus.GRADED, report=rescore(report, specs, lang, str(path))
            )
        )
    return rows


def _check_student_settings(
    catalog,
    roster: Path,
    entries: list[RosterEntry],
    exercises: tuple[str, ...],
    settings: tuple[str, ...],
) -> None:
    """A student's ``set`` column is refused before anyone is graded, with its line."""
    for entry in entries:
        try:
            catalog.assign(list(exercises), [*settings, *entry.settings])
        except UsageError as error:
            raise UsageError(f"{roster}:{entry.line}: set: {error.message}") from None


def _on_engine(entries: list[RosterEntry], endpoint) -> list[RosterEntry]:
    """Every student on ``endpoint``. The children get its address, not the context's name:
    resolved once, here, a name cannot lead one child to another engine."""
    tls_dir = _tls_folder(endpoint)
    return [
        entry.model_copy(update={"docker_host": endpoint.url, "tls_dir": tls_dir})
        for entry in entries
    ]


def _tls_folder(endpoint) -> Path | None:
    """The folder of the endpoint's certificates, as ``--tls-dir`` takes it: the docker CLI
    stores a context's as ca.pem, cert.pem and key.pem in one folder."""
    tls = endpoint.tls
    if tls is None:
        return None
    files = [Path(tls.ca_cert or ""), *(Path(name) for name in tls.cert or ("", ""))]
    as_tls_dir = [f.name for f in files] == ["ca.pem", "cert.pem", "key.pem"] and len(
        {f.parent for f in files}
    ) == 1
    if not (tls.verify and as_tls_dir):
        raise UsageError(
            f"{endpoint.url}: batch passes an engine's TLS to its children only "
            "as a verified ca.pem, cert.pem and key.pem in one folder"
        )
    return files[0].parent


def _write_report(out_dir: Path, row: StudentRow) -> None:
    from grader.batch.grades_folder import write_student_report

    write_student_report(out_dir, row)


def _summary_table(result: ClassResult) -> Table:
    from rich.table import Table

    from grader.batch.models import RowStatus

    table = Table(title="docker-grade batch", title_justify="left")
    for column in ("student", "score", "status"):
        table.add_column(column)
    for row in result.rows:
        score = f"{row.report.score:g} / {row.report.max_score:g}" if row.report else "-"
        status = "graded" if row.status is RowStatus.GRADED else f"ungradable: {row.reason}"
        table.add_row(row.student_id, score, status)
    return table
