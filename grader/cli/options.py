"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.completion import complete_contexts, complete_settings
from grader.engine.defaults import API_TIMEOUT_S, DEFAULT_PROBE_IMAGE
from grader.exporters import FORMATS
from grader.languages import LANGS, lang_from_environment

lang_option = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    help="Language of titles, messages and hints [default: from the locale].",
)


def format_option(default: str = "text"):
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(FORMATS)),
        default=default,
        show_default=True,
        help="Output format.",
    )


exercises_option = click.option(
    "--exercises",
    "exercise_packs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="An exercise pack (a folder with exercises/ and checks/) to add to the built-in "
    "exercises; repeatable [also: DOCKER_GRADE_EXERCISES].",
)


folder_option = click.option(
    "--folder",
    default=None,
    metavar="DIR",
    help="The student's folder, where the files an exercise reads are (Dockerfile, "
    "myimage.tar, nginx/): a folder here, or engine:/PATH on the engine's host "
    "[default: the current folder].",
)


def settings_option(
    help_text: str = "Override an exercise param (EXERCISE.NAME=VALUE for one exercise only).",
):
    return click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="NAME=VALUE",
        shell_complete=complete_settings,
        help=help_text,
    )


probe_image_option = click.option(
    "--probe-image",
    default=DEFAULT_PROBE_IMAGE,
    show_default=True,
    help="Trusted image the probes run in (needs sh, ping, wget, touch).",
)


def resolve_lang(lang: str | None) -> str:
    return lang or lang_from_environment()


def context_option(help_text: str):
    return click.option(
        "--context", default=None, metavar="NAME", shell_complete=complete_contexts, help=help_text
    )


def engine_options(command):
    """The engine a command grades, chosen as the docker CLI chooses it (grader.engine.contexts)
    unless these options say otherwise."""
    options = [
        click.option(
            "--docker-host",
            default=None,
            metavar="URL",
            help="Engine to grade [default: DOCKER_HOST, else the docker CLI's "
            "context, else the local socket].",
        ),
        context_option(
            "docker CLI context whose engine to grade [default: DOCKER_CONTEXT, "
            "else the docker CLI's current context]."
        ),
        click.option(
            "--tls-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Folder of ca.pem, cert.pem and key.pem for a tcp:// engine with TLS.",
        ),
        click.option(
            "--engine-timeout",
            type=click.FloatRange(min=0.1),
            default=API_TIMEOUT_S,
            show_default=True,
            metavar="SECONDS",
            help="Time limit of each Engine API call.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
