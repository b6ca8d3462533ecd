"""Exporters turn a Report into a file format; ``--format NAME`` picks one by name.

Each is imported when chosen: the command line lists the names without loading a renderer
(the text one brings rich).
"""

from __future__ import annotations

import importlib

from grader.exporters.base import Exporter

# --format NAME -> the module and class that write it
FORMATS: dict[str, str] = {
    "text": "grader.exporters.text:TextExporter",
    "json": "grader.exporters.json:JsonExporter",
    "gradescope": "grader.exporters.gradescope:GradescopeExporter",
    "junit": "grader.exporters.junit:JUnitExporter",
    "prairielearn": "grader.exporters.prairielearn:PrairieLearnExporter",
    "github-classroom": "grader.exporters.github_classroom:GitHubClassroomExporter",
}


def exporter_class(name: str) -> type[Exporter]:
    module, _, cls = FORMATS[name].partition(":")
    exporter = getattr(importlib.import_module(module), cls)
    assert exporter.name == name, f"{FORMATS[name]} is named {exporter.name!r}"
    return exporter


def exporter_named(name: str) -> Exporter:
    return exporter_class(name)()


__all__ = ["FORMATS", "Exporter", "exporter_class", "exporter_named"]
