import json

import jsonschema

from grader.exporters import exporter_named
from grader.report.models import Report
from support.cli import docker_grade
from support.reports import sample_report


def test_json_round_trips_to_the_same_report():
    text = exporter_named("json").render(sample_report(), lang="en")
    assert Report.model_validate_json(text) == sample_report()


def test_the_cli_schema_validates_a_report_and_rejects_a_wrong_one():
    run = docker_grade("schema")
    assert run.exit_code == 0
    schema = json.loads(run.stdout)
    report = json.loads(exporter_named("json").render(sample_report(), lang="en"))
    jsonschema.validate(report, schema)
    report["exercises"][0]["checks"][0]["status"] = "maybe"
    try:
        jsonschema.validate(report, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a report with status 'maybe' validated")
