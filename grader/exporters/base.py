from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from grader.languages import Lang
    from grader.report.models import Report


class Exporter:
    """Renders a report as text; ``name`` is what ``--format`` takes."""

    name: ClassVar[str]

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        raise NotImplementedError

    def ungradable(self, reason: str, *, lang: Lang) -> str | None:
        """What to write when no grading could take place (the engine could not be used), for
        a format whose platform tells that apart from a zero; None: write nothing."""
        return None
