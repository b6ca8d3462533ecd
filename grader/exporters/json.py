from __future__ import annotations

from grader.exporters.base import Exporter
from grader.i18n import Lang
from grader.report.models import Report


class JsonExporter(Exporter):
    """The report as JSON, as ``docker-grade schema`` describes it."""

    name = "json"

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        return report.model_dump_json(indent=2) + "\n"
