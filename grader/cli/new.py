from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import exercises_option


@click.command()
@click.argument("exercise_id", metavar="ID")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The pack folder to write into (made if missing).",
)
@exercises_option
def new(*, exercise_id: str, folder: Path, exercise_packs: tuple[Path, ...]) -> None:
    """Start a new exercise ID in a pack folder: its spec, its check module, a reference
    solution and two mistakes, ready for validate and selftest."""
    from grader.authoring.scaffold import new_exercise
    from grader.spec.catalog import Catalog

    catalog = Catalog.load(exercise_packs, quiet=True)
    number = max(spec.number for spec in catalog.exercises) + 1
    for path in new_exercise(exercise_id, folder, number):
        click.echo(f"wrote {path}")
    click.echo(
        f"next: docker-grade validate {folder}, then docker-grade selftest {exercise_id} "
        f"--exercises {folder} --docker-host URL (an engine with no container)"
    )
