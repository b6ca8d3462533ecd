"""JUnit XML, for the test views of CI servers (GitLab, GitHub Actions, Jenkins).

One ``<testsuite>`` per exercise, one ``<testcase>`` per check. A failed check carries a
``<failure>``, an undecided one an ``<error>``, a skipped one ``<skipped>``; the evidence is the
case's ``<system-out>``, as JSON.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from grader.exporters.base import Exporter
from grader.exporters.wording import HINT
from grader.i18n import Lang
from grader.report.models import CheckResult, ExerciseResult, Report, Status

# Characters XML 1.0 cannot hold, even escaped (ANSI escapes from a container's logs...).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class JUnitExporter(Exporter):
    name = "junit"

    def render(self, report: Report, *, lang: Lang, color: bool = False) -> str:
        root = ET.Element("testsuites", {"name": "docker-grade"})
        suites = [_suite(exercise, report, lang) for exercise in report.exercises]
        _set_counts(
            root, [check for e in report.exercises for check in e.checks], report.duration_s
        )
        root.extend(suites)
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True).decode("utf-8") + "\n"


def _suite(exercise: ExerciseResult, report: Report, lang: Lang) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _text(exercise.id)})
    _set_counts(suite, exercise.checks, sum(check.duration_s for check in exercise.checks))
    suite.set("timestamp", _timestamp(report.started_at))
    properties = ET.SubElement(suite, "properties")
    values = {
        "student_id": report.student.id,
        "docker_host": report.host.docker_host,
        "score": _number(exercise.score),
        "max_score": _number(exercise.max_score),
    }
    for name, value in values.items():
        if value is not None:  # no student id: no property rather than an empty one
            ET.SubElement(properties, "property", {"name": name, "value": _text(value)})
    for check in exercise.checks:
        suite.append(_case(exercise, check, lang))
    return suite


def _case(exercise: ExerciseResult, check: CheckResult, lang: Lang) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": _text(exercise.id),
            "name": _text(check.id),
            "time": _seconds(check.duration_s),
        },
    )
    message = _text(check.message)
    details = check.message + (f"\n{HINT.render(lang)}: {check.hint}" if check.hint else "")
    if check.status is Status.FAILED:
        ET.SubElement(case, "failure", {"message": message, "type": "failed"}).text = _text(details)
    elif check.status is Status.ERROR:
        ET.SubElement(case, "error", {"message": message, "type": "error"}).text = _text(details)
    elif check.status is Status.SKIPPED:
        ET.SubElement(case, "skipped", {"message": message})
    evidence = json.dumps(check.evidence, indent=2, ensure_ascii=False, default=str)
    ET.SubElement(case, "system-out").text = _text(evidence)
    return case


def _set_counts(element: ET.Element, checks: list[CheckResult], duration_s: float) -> None:
    statuses = [check.status for check in checks]
    element.set("tests", str(len(statuses)))
    element.set("failures", str(statuses.count(Status.FAILED)))
    element.set("errors", str(statuses.count(Status.ERROR)))
    element.set("skipped", str(statuses.count(Status.SKIPPED)))
    element.set("time", _seconds(duration_s))


def _text(value: str) -> str:
    """ElementTree escapes ``<``, ``&`` and quotes; characters XML cannot hold at all are
    written as ``\\x1b``-style escapes instead of making an unreadable file."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


def _timestamp(moment: datetime) -> str:
    """ISO 8601 without a time zone, as JUnit's schema wants it: UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _number(value: float) -> str:
    return f"{value:g}"
