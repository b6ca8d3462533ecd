from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import exercises_option, lang_option, resolve_lang
from grader.i18n import t
from grader.spec import Catalog

_PARAMS, _CHECKS, _NONE = t("Params", "Paramètres"), t("Checks", "Vérifications"), t("none", "aucun")
_DISCOVERED = t("(discovered)", "(découvert)")
_REQUIRES = t("requires", "nécessite")


@click.command()
@click.argument("exercise")
@lang_option
@exercises_option
def explain(*, exercise_packs: tuple[Path, ...], exercise: str, lang: str | None) -> None:
    """Show an exercise's statement, params and checks."""
    lang = resolve_lang(lang)
    spec = Catalog.load(exercise_packs).get(exercise)
    click.echo(f"{spec.number}. {spec.id}: {spec.title.fill(spec.defaults).render(lang)}\n")
    click.echo(spec.statement.fill(spec.defaults).render(lang).rstrip() + "\n")
    click.echo(f"{_PARAMS.render(lang)}:")
    for param in spec.params:
        default = _DISCOVERED.render(lang) if param.default is None else param.default
        click.echo(f"  {param.name} = {default}  ({param.type}) {param.description.render(lang)}")
    if not spec.params:
        click.echo(f"  {_NONE.render(lang)}")
    click.echo(f"\n{_CHECKS.render(lang)} ({spec.max_score:g} pts):")
    for check in spec.checks:
        requires = f"  [{_REQUIRES.render(lang)}: {', '.join(check.requires)}]" if check.requires else ""
        click.echo(f"  {check.id} ({check.weight:g}): {check.title.fill(spec.defaults).render(lang)}{requires}")
