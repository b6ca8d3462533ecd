from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import exercises_option, lang_option, resolve_lang

# The headings, in both languages (plain tuples: the command line starts before pydantic)
_PARAMS, _CHECKS, _NONE = ("Params", "Paramètres"), ("Checks", "Vérifications"), ("none", "aucun")
_DISCOVERED = ("(discovered)", "(découvert)")
_REQUIRES = ("requires", "nécessite")


def _in(text: tuple[str, str], lang: str) -> str:
    return text[0] if lang == "en" else text[1]


@click.command()
@click.argument("exercise")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Show the statement with this param's value (as check --set takes it).",
)
@lang_option
@exercises_option
def explain(
    *, exercise_packs: tuple[Path, ...], exercise: str, settings: tuple[str, ...], lang: str | None
) -> None:
    """Show an exercise's statement, params and checks (with --set, as a student given those
    values reads them)."""
    from grader.spec.catalog import Catalog  # pydantic: only when the command runs

    lang = resolve_lang(lang)
    assignment = Catalog.load(exercise_packs).assign([exercise], list(settings))[0]
    spec, values = assignment.spec, assignment.params
    click.echo(f"{spec.number}. {spec.id}: {spec.title.fill(values).render(lang)}\n")
    click.echo(spec.statement.fill(values).render(lang).rstrip() + "\n")
    click.echo(f"{_in(_PARAMS, lang)}:")
    for param in spec.params:
        value = values[param.name]
        default = _in(_DISCOVERED, lang) if value is None else value
        click.echo(f"  {param.name} = {default}  ({param.type}) {param.description.render(lang)}")
    if not spec.params:
        click.echo(f"  {_in(_NONE, lang)}")
    click.echo(f"\n{_in(_CHECKS, lang)} ({spec.max_score:g} pts):")
    for check in spec.checks:
        requires = (
            f"  [{_in(_REQUIRES, lang)}: {', '.join(check.requires)}]" if check.requires else ""
        )
        click.echo(
            f"  {check.id} ({check.weight:g}): {check.title.fill(values).render(lang)}{requires}"
        )
