from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import exercises_option, lang_option, resolve_lang
from grader.i18n import t
from grader.spec import Catalog

_PARAMS, _CHECKS, _NONE = (
    t("Params", "Paramètres"),
    t("Checks", "Vérifications"),
    t("none", "aucun"),
)
_DISCOVERED = t("(discovered)", "(découvert)")
_REQUIRES = t("requires", "nécessite")


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
    lang = resolve_lang(lang)
    assignment = Catalog.load(exercise_packs).assign([exercise], list(settings))[0]
    spec, values = assignment.spec, assignment.params
    click.echo(f"{spec.number}. {spec.id}: {spec.title.fill(values).render(lang)}\n")
    click.echo(spec.statement.fill(values).render(lang).rstrip() + "\n")
    click.echo(f"{_PARAMS.render(lang)}:")
    for param in spec.params:
        value = values[param.name]
        default = _DISCOVERED.render(lang) if value is None else value
        click.echo(f"  {param.name} = {default}  ({param.type}) {param.description.render(lang)}")
    if not spec.params:
        click.echo(f"  {_NONE.render(lang)}")
    click.echo(f"\n{_CHECKS.render(lang)} ({spec.max_score:g} pts):")
    for check in spec.checks:
        requires = (
            f"  [{_REQUIRES.render(lang)}: {', '.join(check.requires)}]" if check.requires else ""
        )
        click.echo(
            f"  {check.id} ({check.weight:g}): {check.title.fill(values).render(lang)}{requires}"
        )
