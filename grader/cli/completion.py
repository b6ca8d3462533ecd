"""Shell completion (click's own, through ``_DOCKER_GRADE_COMPLETE``) of exercise ids, ``--set``
names and docker CLI contexts.

A completion runs on every Tab: it must answer fast and never fail, so a catalog or a context
store that does not load completes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import click
from click.shell_completion import CompletionItem

from grader.errors import GraderError
from grader.languages import lang_from_environment

if TYPE_CHECKING:
    from grader.spec.models import ExerciseSpec

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _quietly(completer: Completer) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str):
        try:
            return completer(ctx, param, incomplete)
        except GraderError:
            return []

    return complete


@_quietly
def complete_exercises(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The ids of the catalog, in course order, each with its title; those already named
    are not offered again."""
    from grader.spec.catalog import Catalog  # pydantic: only when completing

    named = set(ctx.params.get(param.name) or ())
    lang = lang_from_environment()
    return [
        CompletionItem(spec.id, help=spec.title.fill(spec.defaults).render(lang))
        for spec in Catalog.load().exercises
        if spec.id.startswith(incomplete) and spec.id not in named
    ]


@_quietly
def complete_settings(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """``param=`` and ``exercise.param=`` for the params of the exercises named (all of them
    when none is), as ``--set`` takes them."""
    if "=" in incomplete:  # a value: free text
        return []
    from grader.spec.catalog import Catalog

    named = set(ctx.params.get("exercises") or ())
    specs = [spec for spec in Catalog.load().exercises if not named or spec.id in named]
    names = dict.fromkeys(name for spec in specs for name in _setting_names(spec))
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def _setting_names(spec: ExerciseSpec) -> list[str]:
    plain = [f"{param.name}=" for param in spec.params]
    return plain + [f"{spec.id}.{name}" for name in plain]


@_quietly
def complete_contexts(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from grader.engine.contexts import context_names  # the Docker SDK: only when asked

    return [CompletionItem(name) for name in context_names() if name.startswith(incomplete)]
