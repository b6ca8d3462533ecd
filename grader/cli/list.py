from __future__ import annotations

import json

import click

from grader.cli.options import lang_option, resolve_lang
from grader.spec import Catalog


@click.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@lang_option
def list_exercises(*, output_format: str, lang: str | None) -> None:
    """List the exercises docker-grade knows."""
    lang = resolve_lang(lang)
    exercises = Catalog.load().exercises
    if output_format == "json":
        rows = [{"id": e.id, "number": e.number, "title": e.title.fill(e.defaults).render(lang),
                 "max_score": e.max_score, "checks": [c.id for c in e.checks]}
                for e in exercises]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(e.id) for e in exercises)
    for e in exercises:
        click.echo(f"{e.number}. {e.id:<{width}}  {e.title.fill(e.defaults).render(lang)}  ({e.max_score:g} pts)")
