from __future__ import annotations

from pathlib import Path

import click

from grader.engine.client import API_TIMEOUT_S, connect
from grader.errors import ExitCode
from grader.exporters import exporter_named
from grader.grading import DEFAULT_PROBE_IMAGE, grade
from grader.cli.options import format_option, lang_option, resolve_lang
from grader.cli.output import write_output
from grader.spec import Catalog


@click.command()
@click.argument("exercises", nargs=-1)
@format_option()
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write the report to FILE [default: standard output].")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override an exercise param (EXERCISE.NAME=VALUE for one exercise only).")
@click.option("--student", "student_id", default=None, help="Student id for the report.")
@lang_option
@click.option("--docker-host", default=None, metavar="URL",
              help="Engine to grade [default: DOCKER_HOST, else the local socket].")
@click.option("--tls-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of ca.pem, cert.pem and key.pem for a tcp:// engine with TLS.")
@click.option("--engine-timeout", type=click.FloatRange(min=0.1), default=API_TIMEOUT_S,
              show_default=True, metavar="SECONDS", help="Time limit of each Engine API call.")
@click.option("--probe-image", default=DEFAULT_PROBE_IMAGE, show_default=True,
              help="Trusted image the probes run in (needs sh, ping, wget, touch).")
def check(*, exercises: tuple[str, ...], output_format: str, output: str,
          settings: tuple[str, ...], student_id: str | None, lang: str | None,
          docker_host: str | None, tls_dir: Path | None, engine_timeout: float,
          probe_image: str) -> None:
    """Grade EXERCISES (all of them when none is named) on the Docker engine."""
    lang = resolve_lang(lang)
    assignments = Catalog.load().assign(list(exercises), list(settings))
    engine = connect(docker_host, timeout=engine_timeout, tls_dir=tls_dir)
    try:
        report = grade(engine=engine, assignments=assignments, lang=lang,
                       student_id=student_id, probe_image=probe_image)
    finally:
        engine.close()
    exporter = exporter_named(output_format)
    write_output(output, lambda color: exporter.render(report, lang=lang, color=color))
    raise click.exceptions.Exit(ExitCode.ALL_PASSED if report.all_passed
                                else ExitCode.NOT_ALL_PASSED)
