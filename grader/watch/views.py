"""How ``watch`` shows its updates: a live board on a terminal, or one JSON object per line.

``JsonLines(sys.stdout)(update)`` prints ``{"time": ..., "exercises": [...]}`` for each grading.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from grader.i18n import Lang, t
from grader.report.models import CheckResult, ExerciseResult, Status
from grader.report.printable import printable
from grader.watch.watcher import Update

if TYPE_CHECKING:
    from grader.watch.class_link import ClassLink

_GLYPH = {
    Status.PASSED: ("✓", "green"),
    Status.FAILED: ("✗", "red"),
    Status.ERROR: ("!", "magenta"),
    Status.SKIPPED: ("·", "yellow"),
}


class JsonLines:
    """One JSON object per update: for tools, editors and tests; with ``link``, each carries
    the class server's status as ``"class"`` (the link's status when the line is written)."""

    def __init__(self, out: TextIO = sys.stdout, link: ClassLink | None = None):
        self.out, self.link = out, link

    def __call__(self, update: Update) -> None:
        results = update.results.values()
        line = {
            "time": _iso(update.at),
            "triggers": [trigger.as_json() for trigger in update.triggers],
            "engine": update.engine or None,
            "engine_problem": update.engine_problem,
            "score": sum(r.score for r in results),
            "max_score": sum(r.max_score for r in results),
            "completed": update.completed,
            "exercises": [result.model_dump(mode="json") for result in update.graded],
        }
        if self.link is not None:
            line["class"] = self.link.status().as_json()
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.out.flush()


class Board:
    """The live checklist: a line per exercise, the next thing to do, the last change."""

    def __init__(
        self,
        *,
        lang: Lang,
        order: list[str],
        console: Console | None = None,
        link: ClassLink | None = None,
    ):
        self.lang, self.order, self.engine, self.link = lang, order, "", link
        self.console = console or Console()
        self.live = Live(console=self.console, auto_refresh=False, transient=False)
        self.celebration: str | None = None
        self._last: Update | None = None
        self.keys_read = False  # the footer tells of `h` when the terminal's keys are read
        self._drawing = threading.Lock()  # the watch's thread, and the class link's

    def __enter__(self) -> Board:
        if self.console.is_terminal:
            self.live.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.live.is_started:
            self.live.stop()

    def __call__(self, update: Update) -> None:
        if update.completed:
            self.celebration = (
                t("★ {e}: complete, well done!", "★ {e} : terminé, bravo !")
                .format(e=", ".join(update.completed))
                .render(self.lang)
            )
        self.engine = update.engine or self.engine
        with self._drawing:
            self._last = update
            board = self.render(update)
            if self.live.is_started:
                self.live.update(board, refresh=True)
            else:  # a pipe or a file: one board after the other
                self.console.print(board)
                self.console.print()

    def refresh(self) -> None:
        """Draws the last update again (the class link's status changed); on a live board
        only: a pipe gets a board per grading."""
        with self._drawing:
            if self._last is not None and self.live.is_started:
                self.live.update(self.render(self._last), refresh=True)

    def render(self, update: Update) -> Group:
        results = [update.results[e] for e in self.order if e in update.results]
        parts = [self._header(results)]
        parts += [self._exercise_line(n, r) for n, r in enumerate(results, start=1)]
        if update.engine_problem:
            parts.append(Text(printable(update.engine_problem), style="bold red"))
        next_panel = self._next(update)
        if next_panel is not None:
            parts.append(next_panel)
        if self.celebration:
            parts.append(Text(self.celebration, style="bold green"))
        parts.append(self._footer(update))
        return Group(*parts)

    def _header(self, results: list[ExerciseResult]) -> Text:
        score, total = sum(r.score for r in results), sum(r.max_score for r in results)
        where = f" · {printable(self.engine)}" if self.engine else ""
        return Text(
            f"docker-grade watch{where} · {score:g}/{total:g}",
            style="bold",
            overflow="ellipsis",
            no_wrap=True,
        )

    def _exercise_line(self, number: int, result: ExerciseResult) -> Text:
        done = all(c.status is Status.PASSED for c in result.checks)
        line = Text("✓ " if done else "  ", style="green")
        line.append(f"{number}. {result.id:<21} {result.score:>3g}/{result.max_score:<3g} ")
        for check in result.checks:
            glyph, style = _GLYPH[check.status]
            line.append(glyph, style=style)
        line.no_wrap, line.overflow = True, "ellipsis"
        return line

    def _next(self, update: Update) -> Panel | None:
        """The focus exercise's first check to fix, else the first one of the course."""
        candidates = [update.results[e] for e in [update.focus, *self.order] if e in update.results]
        found = next(((r, c) for r in candidates if (c := _first_to_fix(r))), None)
        if found is None:
            return None
        focus, check = found
        body = Text(f"{check.id}: {printable(check.message)}")
        if check.hint:
            body.append(
                f"\n{t('hint', 'conseil').render(self.lang)}: {printable(check.hint)}",
                style="italic",
            )
        title = t("Next: {e}", "Ensuite : {e}").format(e=focus.id).render(self.lang)
        return Panel(body, title=title, title_align="left", expand=True)

    def _footer(self, update: Update) -> Text:
        last = next((t_ for t_ in update.triggers if t_.kind in ("event", "file")), None)
        seen = (
            t("last change: {c}", "dernier changement : {c}")
            .format(c=printable(last.detail))
            .render(self.lang)
            + " · "
            if last
            else ""
        )
        footer = Text(
            seen
            + t("watching… Ctrl-C to stop", "en observation… Ctrl-C pour arrêter").render(
                self.lang
            ),
            style="dim",
            overflow="ellipsis",
            no_wrap=True,
        )
        if self.link is None:
            return footer
        status = self.link.status()
        style = "dim" if status.state == "up-to-date" and status.refused is None else "yellow"
        if status.state == "token-refused":
            style = "bold red"
        keys = (
            " · " + t("h: ask for help", "h : demander de l'aide").render(self.lang)
            if self.keys_read and not status.help
            else ""
        )
        line = Text(
            printable(status.text(self.lang)) + keys,
            style=style,
            overflow="ellipsis",
            no_wrap=True,
        )
        return Text("\n").join([line, footer])


def _first_to_fix(result: ExerciseResult) -> CheckResult | None:
    """The first check that failed or could not be decided: what the student does next."""
    return next((c for c in result.checks if c.status in (Status.FAILED, Status.ERROR)), None)


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, tz=timezone.utc).isoformat(timespec="milliseconds")
