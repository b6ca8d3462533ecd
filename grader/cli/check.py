from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.cli.completion import complete_exercises
from grader.cli.options import (
    engine_options,
    exercises_option,
    folder_option,
    format_option,
    lang_option,
    probe_image_option,
    resolve_lang,
    settings_option,
)
from grader.cli.output import NOTHING_LEFT_TO_RELEASE, write_output
from grader.cli.terminal import colour_allowed, output_width
from grader.errors import EngineError, ExitCode, UsageError
from grader.exporters import Exporter, exporter_named
from grader.spec.folders import StudentFolder

if TYPE_CHECKING:
    from grader.exporters.text import Detail


@click.command()
@click.argument("exercises", nargs=-1, shell_complete=complete_exercises)
@format_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Write the report to FILE [default: standard output].",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Text format: every check in a table, with its points and message.",
)
@click.option("-q", "--quiet", is_flag=True, help="Text format: the total only.")
@settings_option()
@click.option("--student", "student_id", default=None, help="Student id for the report.")
@lang_option
@exercises_option
@engine_options
@folder_option
@probe_image_option
def check(
    *,
    exercise_packs: tuple[Path, ...],
    exercises: tuple[str, ...],
    output_format: str,
    output: str,
    verbose: bool,
    quiet: bool,
    settings: tuple[str, ...],
    student_id: str | None,
    lang: str | None,
    docker_host: str | None,
    context: str | None,
    tls_dir: Path | None,
    engine_timeout: float,
    probe_image: str,
    folder: str | None,
) -> None:
    """Grade EXERCISES (all of them when none is named) on the Docker engine.

    The engine is the one the docker CLI would use: --docker-host or --context, else
    DOCKER_HOST, else DOCKER_CONTEXT, else the docker CLI's current context, else the local
    socket.
    """
    from grader.spec.catalog import Catalog  # pydantic: only when the command runs

    lang = resolve_lang(lang)
    exporter = _exporter(output_format, _detail(verbose, quiet), output)
    assignments = Catalog.load(exercise_packs).assign(list(exercises), list(settings))
    student_folder = StudentFolder.parse(folder) if folder else None
    # The Docker SDK and pytest are imported here, not at start: --help and list stay quick.
    from grader.engine.client import connect
    from grader.probes import ProbeRunner

    try:
        engine = connect(docker_host, context=context, timeout=engine_timeout, tls_dir=tls_dir)
        try:
            with ProbeRunner(engine, image=probe_image) as probes:
                if any(a.may_probe for a in assignments):
                    probes.start_resident()  # while pytest is imported and the snapshot taken
                from grader.grading import grade

                report = grade(
                    engine=engine,
                    assignments=assignments,
                    lang=lang,
                    student_id=student_id,
                    probe_image=probe_image,
                    folder=student_folder,
                    probes=probes,
                )
        finally:
            engine.close()
    except EngineError as error:
        _write_ungradable(exporter, output, error.message, lang)
        raise
    write_output(
        output, lambda color: exporter.render(report, lang=lang, color=color and colour_allowed())
    )
    NOTHING_LEFT_TO_RELEASE.set()
    raise click.exceptions.Exit(
        ExitCode.ALL_PASSED if report.all_passed else ExitCode.NOT_ALL_PASSED
    )


def _write_ungradable(exporter: Exporter, output: str, reason: str, lang: str) -> None:
    """A format that can say "not graded" says it (PrairieLearn then charges no attempt),
    rather than leaving no file; the run still ends with the engine's error and code."""
    text = exporter.ungradable(reason, lang=lang)
    if text is not None:
        write_output(output, lambda color: text)


def _detail(verbose: bool, quiet: bool) -> Detail:
    from grader.exporters.text import Detail  # rich: only when the text format is written

    if verbose and quiet:
        raise UsageError("--verbose and --quiet: choose one")
    return Detail.FULL if verbose else Detail.TOTAL if quiet else Detail.SHORT


def _exporter(output_format: str, detail: Detail, output: str) -> Exporter:
    from grader.exporters.text import TextExporter

    if output_format == TextExporter.name:
        return TextExporter(detail, width=output_width(output))
    return exporter_named(output_format)
