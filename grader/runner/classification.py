"""Turns how a check ended (returned, raised) into a status and a message in one language."""

from __future__ import annotations

from typing import Any

from _pytest.outcomes import Skipped
from docker.errors import NotFound

from grader.i18n import Lang, render, t
from grader.kit.verdicts import CheckFailed, NotApplicable, Undecided, Verdict
from grader.probes import ProbeUnavailable
from grader.report.models import Status
from grader.report.outcome import Outcome

_EXPECTED = t("expected", "attendu")
_FOUND = t("found", "trouvé")
_PASSED = t("as expected", "conforme")
_VANISHED = t(
    "something graded disappeared while it was being graded ({e}): grade again",
    "un objet corrigé a disparu pendant la correction ({e}) : relancez la correction",
)
_GRADER_ERROR = t("the grader could not decide", "le correcteur n'a pas pu trancher")


def outcome_of(
    error: BaseException | None, verdict: Verdict, lang: Lang, duration_s: float = 0.0
) -> Outcome:
    status, message = _classify(error, verdict, lang)
    return Outcome(status, message, _jsonable(verdict.details), duration_s)


def _classify(error: BaseException | None, verdict: Verdict, lang: Lang) -> tuple[Status, str]:
    if error is None:
        notes = verdict.notes or [_PASSED]
        return Status.PASSED, "; ".join(render(note, lang) for note in notes)
    if isinstance(error, CheckFailed):
        return Status.FAILED, _failure_message(error, lang)
    if isinstance(error, NotApplicable):
        return Status.SKIPPED, render(error.why, lang)
    if isinstance(error, Skipped):
        return Status.SKIPPED, str(error.msg)
    if isinstance(error, Undecided):
        return Status.ERROR, render(error.why, lang)
    if isinstance(error, ProbeUnavailable):
        return Status.ERROR, str(error)
    if isinstance(error, NotFound):
        return Status.ERROR, render(_VANISHED, lang).format(e=error.explanation or error)
    if isinstance(error, AssertionError):
        return Status.FAILED, str(error) or type(error).__name__
    return Status.ERROR, f"{render(_GRADER_ERROR, lang)}: {type(error).__name__}: {error}"


def _failure_message(error: CheckFailed, lang: Lang) -> str:
    parts = [render(error.what, lang)]
    if error.expected is not None:
        parts.append(f"{render(_EXPECTED, lang)}: {render(error.expected, lang)}")
    if error.found is not None:
        parts.append(f"{render(_FOUND, lang)}: {render(error.found, lang)}")
    return "; ".join(parts)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
