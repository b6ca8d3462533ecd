"""Exporters turn a Report into a file format; ``--format NAME`` picks one by name."""

from __future__ import annotations

from grader.exporters.base import Exporter
from grader.exporters.github_classroom import GitHubClassroomExporter
from grader.exporters.gradescope import GradescopeExporter
from grader.exporters.json import JsonExporter
from grader.exporters.junit import JUnitExporter
from grader.exporters.prairielearn import PrairieLearnExporter
from grader.exporters.text import TextExporter

EXPORTERS: dict[str, type[Exporter]] = {
    exporter.name: exporter
    for exporter in (
        TextExporter,
        JsonExporter,
        GradescopeExporter,
        JUnitExporter,
        PrairieLearnExporter,
        GitHubClassroomExporter,
    )
}


def exporter_named(name: str) -> Exporter:
    return EXPORTERS[name]()


__all__ = ["EXPORTERS", "Exporter", "exporter_named"]
