from __future__ import annotations

import json

import click


@click.command()
def schema() -> None:
    """Print the JSON Schema of the report (``check --format json``)."""
    from grader.report.models import Report  # pydantic's models: only for this command

    click.echo(json.dumps(Report.model_json_schema(mode="serialization"), indent=2))
