"""The terminal report: a few lines by default, every check in a table with ``--verbose``, the
total only with ``--quiet``.

The short layout, at 80 columns::

    custom-bridge    2/5  ████░░░░░░  A bridge network with a chosen subnet
      ✗ network-subnet: the subnet is wider than asked: check the prefix length;
        expected: 192.168.0.0/24; found: 192.168.0.0/16
        hint: The prefix length matters: 192.168.0.0/24 is not 192.168.0.0/16.
              Recreate the network with --subnet=192.168.0.0/24.
      2 more checks wait on network-subnet
    Total: 2 / 5
    Next: custom-bridge/network-subnet: The prefix length matters: …

Messages carry student-controlled strings (container names, file contents): every text goes
through ``_safe`` and into rich as ``Text``, never as markup, so that it can neither inject
terminal escapes nor rich markup.
"""

from __future__ import annotations

import io
import re
from enum import Enum

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.exporters.base import Exporter
from grader.exporters.wording import HINT, STATUS_WORD, points
from grader.i18n import Lang, t
from grader.report.models import CheckResult, ExerciseResult, Report, Status
from grader.report.printable import printable

DEFAULT_WIDTH = 80  # a file, a pipe, a CI log: no terminal to ask
BAR_CELLS = 10
MIN_BODY_WIDTH = 20  # on a very narrow terminal, wrapped text still gets some room


class Detail(str, Enum):
    SHORT = "short"  # the default: a line per exercise, what to fix under each
    FULL = "full"  # --verbose: every check in a table
    TOTAL = "total"  # --quiet


_STATUS_STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "red",
    Status.SKIPPED: "yellow",
    Status.ERROR: "magenta",
}
_STATUS_MARK = {Status.FAILED: "✗", Status.ERROR: "?"}  # error: the grader could not decide
_COLUMNS = (
    t("check", "vérification"),
    t("status", "statut"),
    t("points", "points"),
    t("details", "détails"),
)
_TOTAL = t("Total", "Total")
HINT_LABEL = t("hint: ", "conseil : ")
_NEXT_LABEL = t("Next: ", "À faire : ")
_ALL_DONE = t("nothing, every check passes.", "rien, toutes les vérifications réussissent.")
# The skipped checks of an exercise, folded: (one, several).
_WAITING_ON = (
    t("{n} more check waits on {names}", "{n} autre vérification attend {names}"),
    t("{n} more checks wait on {names}", "{n} autres vérifications attendent {names}"),
)
_SKIPPED = (
    t("{n} more check skipped", "{n} autre vérification ignorée"),
    t("{n} more checks skipped", "{n} autres vérifications ignorées"),
)


class TextExporter(Exporter):
    name = "text"

    def __init__(self, detail: Detail = Detail.SHORT, width: int = DEFAULT_WIDTH):
        self.detail, self.width = detail, width

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        buffer = io.StringIO()
        # markup and emoji off: a str that slips through is printed as written
        console = Console(
            file=buffer,
            width=self.width,
            force_terminal=color,
            no_color=not color,
            highlight=False,
            markup=False,
            emoji=False,
        )
        if self.detail is Detail.FULL:
            for exercise in report.exercises:
                console.print(_exercise_table(exercise, lang))
        elif self.detail is Detail.SHORT:
            _print_short(console, report, lang)
        console.print(_total(report, lang))
        if self.detail is Detail.SHORT:
            _print_next_step(console, report, lang)
        return buffer.getvalue()


# -- the short layout -------------------------------------------------------------------------
def _print_short(console: Console, report: Report, lang: Lang) -> None:
    id_width = max((len(e.id) for e in report.exercises), default=0)
    score_width = max((len(_score(e)) for e in report.exercises), default=0)
    for exercise in report.exercises:
        console.print(
            _exercise_line(exercise, id_width, score_width, console.width),
            no_wrap=True,
            overflow="ellipsis",
        )
        if exercise.score < exercise.max_score:
            _print_what_to_fix(console, exercise, lang)


def _exercise_line(exercise: ExerciseResult, id_width: int, score_width: int, width: int) -> Text:
    style = _progress_style(exercise)
    line = Text(_safe(exercise.id).ljust(id_width), style="bold")
    line.append("  " + _score(exercise).rjust(score_width), style=style)
    line.append("  ")
    line.append_text(_bar(exercise, style))
    line.append("  " + _one_line(exercise.title))
    line.truncate(width, overflow="ellipsis")
    return line


def _print_what_to_fix(console: Console, exercise: ExerciseResult, lang: Lang) -> None:
    for group in _same_reason(exercise.checks):
        check = group[0]
        mark = Text(f"  {_STATUS_MARK[check.status]} ", style=_STATUS_STYLE[check.status])
        ids = ", ".join(_safe(c.id) for c in group)
        _print_hanging(console, mark, Text(f"{ids}: {_safe(check.message)}"))
        if check.hint and len(group) == 1:  # several checks: each has its own hint (-v)
            label = Text(f"    {HINT_LABEL.render(lang)}", style="italic")
            _print_hanging(console, label, Text(_safe(check.hint), style="italic"))
    skipped = [check for check in exercise.checks if check.status is Status.SKIPPED]
    if skipped:
        _print_hanging(
            console, Text("  "), Text(_waiting_line(skipped, exercise, lang), style="dim")
        )


def _same_reason(checks: list[CheckResult]) -> list[list[CheckResult]]:
    """The failed and error checks, those in a row with one status and message as one group
    (best-practices with nothing running: seven checks, one reason)."""
    groups: list[list[CheckResult]] = []
    previous: CheckResult | None = None
    for check in checks:
        if check.status not in _STATUS_MARK:
            previous = None
            continue
        if previous and (previous.status, previous.message) == (check.status, check.message):
            groups[-1].append(check)
        else:
            groups.append([check])
        previous = check
    return groups


def _print_hanging(console: Console, prefix: Text, body: Text) -> None:
    """``body`` after ``prefix``, wrapped to the console's width, its lines aligned under its
    first one (and no trailing spaces, which a table's cells would have)."""
    indent = prefix.cell_len
    lines = body.wrap(console, max(console.width - indent, MIN_BODY_WIDTH), overflow="fold")
    for number, line in enumerate(lines):
        line.rstrip()
        console.print((prefix if number == 0 else Text(" " * indent)) + line, no_wrap=True)


def _waiting_line(skipped: list[CheckResult], exercise: ExerciseResult, lang: Lang) -> str:
    names = list(dict.fromkeys(name for check in skipped for name in _waited_on(check, exercise)))
    one, several = _WAITING_ON if names else _SKIPPED
    text = one if len(skipped) == 1 else several
    return text.render(lang).format(n=len(skipped), names=", ".join(names))


def _waited_on(
    check: CheckResult, exercise: ExerciseResult, seen: frozenset[str] = frozenset()
) -> list[str]:
    """The checks that did not pass and that a skipped ``check`` waits on.

    A skipped check's message names its prerequisite (``the prerequisite check 'X' did not
    pass``, ``no image (see X)``): the report carries no other link. A prerequisite skipped in
    turn is followed to the check that actually did not pass.
    """
    found = []
    for other in exercise.checks:
        if other.id in seen or other.id == check.id or not _names(check.message, other.id):
            continue
        if other.status is Status.SKIPPED:
            found += _waited_on(other, exercise, seen | {check.id})
        elif other.status is not Status.PASSED:
            found.append(other.id)
    return found


def _names(message: str, check_id: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(check_id)}(?![\w-])", message) is not None


def _print_next_step(console: Console, report: Report, lang: Lang) -> None:
    """The hint (else the message) of the first check that did not pass, in report order."""
    first = next(
        (
            (exercise, check)
            for exercise in report.exercises
            for check in exercise.checks
            if check.status is not Status.PASSED
        ),
        None,
    )
    if first is None:
        advice = Text(_ALL_DONE.render(lang))
    else:
        exercise, check = first
        advice = Text(
            f"{_safe(exercise.id)}/{_safe(check.id)}: {_safe(check.hint or check.message)}"
        )
    _print_hanging(console, Text(_NEXT_LABEL.render(lang), style="bold"), advice)


def _bar(exercise: ExerciseResult, style: str) -> Text:
    filled = BAR_CELLS
    if exercise.score < exercise.max_score:  # full only when complete
        filled = min(BAR_CELLS - 1, int(BAR_CELLS * exercise.score / exercise.max_score))
    return Text("█" * filled, style=style) + Text("░" * (BAR_CELLS - filled), style="dim")


def _progress_style(exercise: ExerciseResult) -> str:
    if exercise.score >= exercise.max_score:
        return "green"
    return "yellow" if exercise.score > 0 else "red"


def _score(exercise: ExerciseResult) -> str:
    return f"{points(exercise.score)}/{points(exercise.max_score)}"


# -- the full table (--verbose) ---------------------------------------------------------------
def _exercise_table(exercise: ExerciseResult, lang: Lang) -> Table:
    title = Text(
        f"{_safe(exercise.id)}: {_safe(exercise.title)} "
        f"({points(exercise.score)} / {points(exercise.max_score)})"
    )
    table = Table(title=title, title_justify="left", expand=True)
    for number, column in enumerate(_COLUMNS):
        table.add_column(column.render(lang), ratio=4 if number == 3 else None, no_wrap=number != 3)
    for check in exercise.checks:
        details = Text(_safe(check.message))
        if check.hint:
            details.append(f"\n{HINT.render(lang)}: {_safe(check.hint)}", style="italic")
        table.add_row(
            Text(_safe(check.id)),
            Text(STATUS_WORD[check.status].render(lang), style=_STATUS_STYLE[check.status]),
            Text(f"{points(check.score)}/{points(check.max_score)}"),
            details,
        )
    return table


# -- shared -----------------------------------------------------------------------------------
def _total(report: Report, lang: Lang) -> Text:
    total = f"{_TOTAL.render(lang)}: {points(report.score)} / {points(report.max_score)}"
    return Text(total, style="bold")


def _safe(text: str) -> str:
    return printable(text)


def _one_line(text: str) -> str:
    return " ".join(_safe(text).split())
