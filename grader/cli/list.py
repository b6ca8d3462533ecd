from __future__ import annotations

import json
from pathlib import Path

import click

from grader.cli.options import exercises_option, lang_option, resolve_lang
from grader.spec.packs import BUILTIN


@click.command("list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@lang_option
@exercises_option
def list_exercises(
    *, exercise_packs: tuple[Path, ...], output_format: str, lang: str | None
) -> None:
    """List the exercises docker-grade knows, and the pack each comes from."""
    from grader.spec.catalog import Catalog  # pydantic: only when the command runs

    lang = resolve_lang(lang)
    catalog = Catalog.load(exercise_packs)
    exercises = catalog.exercises
    if output_format == "json":
        rows = [
            {
                "id": e.id,
                "number": e.number,
                "title": e.title.fill(e.defaults).render(lang),
                "max_score": e.max_score,
                "checks": [c.id for c in e.checks],
                "pack": catalog.pack_of(e.id).origin,
            }
            for e in exercises
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(e.id) for e in exercises)
    for e in exercises:
        origin = catalog.pack_of(e.id).origin
        source = "" if origin == BUILTIN else f"  [{origin}]"
        click.echo(
            f"{e.number}. {e.id:<{width}}  {e.title.fill(e.defaults).render(lang)}  "
            f"({e.max_score:g} pts){source}"
        )
