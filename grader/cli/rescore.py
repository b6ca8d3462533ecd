from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import exercises_option, lang_option, resolve_lang


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the rescored reports there, under their own names [default: print the scores].",
)
@lang_option
@exercises_option
def rescore(
    *,
    reports: tuple[Path, ...],
    out_dir: Path | None,
    lang: str | None,
    exercise_packs: tuple[Path, ...],
) -> None:
    """Score REPORTS again from the statuses they store, with today's weights and requires.

    No engine is needed. A report whose exercises or checks no longer match the specs is
    refused (grade again); nothing is written unless every report can be rescored.
    """
    from grader.cli.output import write_atomically
    from grader.report.files import read_report
    from grader.report.rescoring import rescore as rescore_report
    from grader.spec.catalog import Catalog

    lang = resolve_lang(lang)
    catalog = Catalog.load(exercise_packs)
    specs = {spec.id: spec for spec in catalog.exercises}
    rescored = [
        (path, report, rescore_report(report, specs, lang, str(path)))
        for path, report in ((path, read_report(path)) for path in reports)
    ]
    for path, before, after in rescored:
        if out_dir is None:
            click.echo(
                f"{path}: {before.score:g}/{before.max_score:g} -> "
                f"{after.score:g}/{after.max_score:g}"
            )
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(out_dir / path.name, after.model_dump_json(indent=2) + "\n")
    if out_dir is not None:
        click.echo(f"{len(rescored)} report(s) rescored into {out_dir}", err=True)
