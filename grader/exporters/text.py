"""The terminal report: one table per exercise, hints under the checks that did not pass."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.exporters.base import Exporter
from grader.i18n import Lang, t
from grader.report.models import ExerciseResult, Report, Status

_STATUS_STYLE = {
    Status.PASSED: "green", Status.FAILED: "red", Status.SKIPPED: "yellow", Status.ERROR: "magenta",
}
_STATUS_WORD = {
    Status.PASSED: t("passed", "réussi"), Status.FAILED: t("failed", "échoué"),
    Status.SKIPPED: t("skipped", "ignoré"), Status.ERROR: t("error", "erreur"),
}
_COLUMNS = (t("check", "vérification"), t("status", "statut"), t("points", "points"),
            t("details", "détails"))
_TOTAL = t("Total", "Total")
_HINT = t("hint", "conseil")


class TextExporter(Exporter):
    name = "text"

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        buffer = io.StringIO()
        console = Console(file=buffer, width=110, force_terminal=color, no_color=not color,
                          highlight=False)
        for exercise in report.exercises:
            console.print(_exercise_table(exercise, lang))
        total = f"{_TOTAL.render(lang)}: {_points(report.score)} / {_points(report.max_score)}"
        console.print(Text(total, style="bold"))
        return buffer.getvalue()


def _exercise_table(exercise: ExerciseResult, lang: Lang) -> Table:
    title = (f"{exercise.id}: {exercise.title} "
             f"({_points(exercise.score)} / {_points(exercise.max_score)})")
    table = Table(title=title, title_justify="left", expand=True)
    for number, column in enumerate(_COLUMNS):
        table.add_column(column.render(lang), ratio=4 if number == 3 else None,
                         no_wrap=number != 3)
    for check in exercise.checks:
        details = Text(check.message)
        if check.hint:
            details.append(f"\n{_HINT.render(lang)}: {check.hint}", style="italic")
        table.add_row(
            check.id,
            Text(_STATUS_WORD[check.status].render(lang), style=_STATUS_STYLE[check.status]),
            f"{_points(check.score)}/{_points(check.max_score)}",
            details,
        )
    return table


def _points(value: float) -> str:
    return f"{value:g}"
