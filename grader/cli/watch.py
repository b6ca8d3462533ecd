from __future__ import annotations

import functools
import threading
from pathlib import Path

import click

from grader.cli.options import (
    engine_options,
    exercises_option,
    folder_option,
    lang_option,
    probe_image_option,
    resolve_lang,
    settings_option,
)
from grader.spec.folders import StudentFolder


@click.command()
@click.argument("exercises", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json-lines"]),
    default="text",
    show_default=True,
    help="A live board, or one JSON object per grading (for tools and editors).",
)
@click.option(
    "--class",
    "class_url",
    default=None,
    envvar="DOCKER_GRADE_CLASS",
    metavar="URL",
    help="The class server to send every grading to (docker-grade serve); `h` asks for "
    "help [also: DOCKER_GRADE_CLASS].",
)
@click.option(
    "--token",
    default=None,
    envvar="DOCKER_GRADE_TOKEN",
    metavar="TOKEN",
    help="Your token for the class server [also: DOCKER_GRADE_TOKEN].",
)
@click.option(
    "--class-ca",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="The CA certificate an HTTPS class server is checked with [default: the system's "
    "trust store].",
)
@settings_option()
@lang_option
@exercises_option
@engine_options
@folder_option
@probe_image_option
def watch(
    *,
    exercise_packs: tuple[Path, ...],
    exercises: tuple[str, ...],
    output_format: str,
    settings: tuple[str, ...],
    lang: str | None,
    docker_host: str | None,
    context: str | None,
    tls_dir: Path | None,
    engine_timeout: float,
    probe_image: str,
    folder: str | None,
    class_url: str | None,
    token: str | None,
    class_ca: Path | None,
) -> None:
    """Grade EXERCISES again each time the engine or this folder changes (Ctrl-C to stop).

    Exercises whose objects changed are graded again at once; an incomplete one is also
    graded again every few seconds (an app may still be starting). With --class, every
    grading also goes to the class server (kept on disk until it has it).
    """
    if class_url and not token:
        raise click.UsageError("--class needs --token (or DOCKER_GRADE_TOKEN)")
    if class_url and not class_url.startswith(("http://", "https://")):
        raise click.BadParameter("an http:// or https:// URL", param_hint="--class")
    # The Docker SDK and pytest are imported here, not at start: --help and list stay quick.
    from grader.engine.client import connect
    from grader.grading import grade
    from grader.spec.catalog import Catalog  # pydantic: only when the command runs
    from grader.watch.class_link import ClassLink
    from grader.watch.keys import Keys
    from grader.watch.views import Board, JsonLines
    from grader.watch.watcher import Watcher

    lang = resolve_lang(lang)
    assignments = Catalog.load(exercise_packs).assign(list(exercises), list(settings))
    student_folder = StudentFolder.parse(folder) if folder else None
    local = Path(student_folder.path) if student_folder and not student_folder.on_engine else None
    watcher = Watcher(
        connect=lambda: connect(
            docker_host, context=context, timeout=engine_timeout, tls_dir=tls_dir
        ),
        assignments=assignments,
        lang=lang,
        probe_image=probe_image,
        # A folder on the engine's host is read again at each grading; its changes are seen
        # when the engine's are, or at the retry of an incomplete exercise.
        folders=_folders([a.in_folder(local) if local else a for a in assignments], local),
        grade_exercises=functools.partial(grade, folder=student_folder),
    )
    from grader.cli import INTERRUPTED

    stop = INTERRUPTED  # SIGTERM sets it: a watch ends even where the exception was lost
    link = ClassLink(class_url, token, ca=class_ca) if class_url else None
    try:
        if output_format == "json-lines":
            _run(watcher, JsonLines(link=link), link, stop)
        else:
            with Board(lang=lang, order=[a.spec.id for a in assignments], link=link) as board:
                if link is None:
                    watcher.run(board, stop)
                    return
                link.on_change = board.refresh
                with Keys(lambda key: _key(key, link)) as keys:
                    board.keys_read = keys.active
                    _run(watcher, board, link, stop)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the way a watch ends
        stop.set()
    finally:
        if link is not None:
            link.close()


def _run(watcher, view, link, stop: threading.Event) -> None:
    from grader.watch.class_link import SendingView

    if link is None:
        watcher.run(view, stop)
        return
    link.start()
    watcher.run(SendingView(view, link), stop)


def _key(key: str, link) -> None:
    if key in ("h", "H"):
        link.toggle_help()  # its on_change draws the board again


def _folders(assignments, student_folder: Path | None) -> list[Path]:
    """The student's folder, and the folders of the files the exercises read when they lie
    elsewhere."""
    folders = {(student_folder or Path.cwd()).resolve()}
    for assignment in assignments:
        for name in ("context", "archive"):
            value = assignment.params.get(name)
            if value:
                path = Path(value).expanduser().resolve()
                folders.add(path if name == "context" else path.parent)
    return sorted(
        folder
        for folder in folders
        if not any(other != folder and other in folder.parents for other in folders)
    )
