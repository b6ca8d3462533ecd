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
) -> None:
    """Grade EXERCISES again each time the engine or this folder changes (Ctrl-C to stop).

    Exercises whose objects changed are graded again at once; an incomplete one is also
    graded again every few seconds (an app may still be starting).
    """
    # The Docker SDK and pytest are imported here, not at start: --help and list stay quick.
    from grader.engine.client import connect
    from grader.grading import grade
    from grader.spec.catalog import Catalog  # pydantic: only when the command runs
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
    stop = threading.Event()
    try:
        if output_format == "json-lines":
            watcher.run(JsonLines(), stop)
        else:
            with Board(lang=lang, order=[a.spec.id for a in assignments]) as board:
                watcher.run(board, stop)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the way a watch ends
        stop.set()


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
