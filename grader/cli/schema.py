from __future__ import annotations

import json

import click

from grader.report.models import Report


@click.command()
def schema() -> None:
    """Print the JSON Schema of the report (``check --format json``)."""
    click.echo(json.dumps(Report.model_json_schema(mode="serialization"), indent=2))
