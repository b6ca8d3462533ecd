from __future__ import annotations

from pathlib import Path

import click

from grader.errors import ExitCode


@click.command()
@click.argument("packs", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(*, packs: tuple[Path, ...]) -> None:
    """Check exercise packs without an engine: specs, check functions, fixtures, scripts.

    Each problem is printed as FILE:LINE: what to change. With no PACKS, every pack known is
    checked (the built-in one, those installed, DOCKER_GRADE_EXERCISES). Exit 0 when no
    problem is found (warnings allowed), 2 otherwise.
    """
    from grader.authoring.validation import validate_pack  # imports pytest: only when asked
    from grader.spec.packs import pack_at
    from grader.spec.packs import packs as known_packs

    chosen = [pack_at(path, "validate") for path in packs] or known_packs()
    errors = 0
    for pack in chosen:
        problems = validate_pack(pack)
        for problem in problems:
            click.echo(str(problem))
        errors += sum(not problem.warning for problem in problems)
        if not problems:
            click.echo(f"{pack.origin}: valid", err=True)
    raise click.exceptions.Exit(ExitCode.USAGE if errors else ExitCode.ALL_PASSED)
