"""Options shared by several commands."""

from __future__ import annotations

import click

from grader.exporters import EXPORTERS
from grader.i18n import LANGS, lang_from_environment

lang_option = click.option(
    "--lang", type=click.Choice(LANGS), default=None,
    help="Language of titles, messages and hints [default: from the locale].",
)


def format_option(default: str = "text"):
    return click.option(
        "--format", "output_format", type=click.Choice(sorted(EXPORTERS)), default=default,
        show_default=True, help="Output format.",
    )


def resolve_lang(lang: str | None) -> str:
    return lang or lang_from_environment()
