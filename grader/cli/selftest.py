from __future__ import annotations

from pathlib import Path

import click

from grader.cli.completion import complete_exercises
from grader.cli.options import engine_options, exercises_option, probe_image_option
from grader.errors import ExitCode, UsageError


@click.command()
@click.argument("exercises", nargs=-1, shell_complete=complete_exercises)
@exercises_option
@engine_options
@click.option(
    "--force",
    is_flag=True,
    help="Run even though the engine holds containers (they take part in every "
    "grading, and may change the verdicts).",
)
@probe_image_option
def selftest(
    *,
    exercises: tuple[str, ...],
    exercise_packs: tuple[Path, ...],
    docker_host: str | None,
    context: str | None,
    tls_dir: Path | None,
    engine_timeout: float,
    force: bool,
    probe_image: str,
) -> None:
    """Prove EXERCISES with their reference solution and mistakes, on a throwaway engine.

    For each exercise: the empty engine must not score full marks, solutions/<id>/solution.sh
    must, and each solutions/<id>/mistakes/NAME.sh must get the statuses its '# expect:' lines
    state. Everything the scripts create is removed. With --exercises DIR and no EXERCISES,
    the exercises of those packs; else every exercise. Exit 0 only if every one behaves.
    """
    from grader.authoring.selftest import refuse_unless_empty
    from grader.authoring.selftest import selftest as run_selftest
    from grader.engine.client import connect
    from grader.spec.catalog import Catalog

    catalog = Catalog.load(exercise_packs)
    assignments = catalog.assign(list(exercises), [])
    if not exercises and exercise_packs:
        roots = {path.resolve() for path in exercise_packs}
        assignments = [a for a in assignments if a.pack.root in roots]
    engine = connect(docker_host, context=context, timeout=max(engine_timeout, 60), tls_dir=tls_dir)
    try:
        present = refuse_unless_empty(engine)
        if present and not force:
            raise UsageError(
                f"{engine.host.docker_host} holds {len(present)} container(s) "
                f"({', '.join(present[:5])}): selftest needs an engine with none, "
                "such as a throwaway one (or --force)"
            )
        trials = run_selftest(engine, assignments, probe_image=probe_image, on_trial=_print_trial)
    finally:
        engine.close()
    failed = [trial for trial in trials if not trial.ok]
    exercises_failed = len({trial.exercise for trial in failed})
    click.echo(
        f"{len(trials) - len(failed)}/{len(trials)} states as expected; "
        f"{len(assignments) - exercises_failed}/{len(assignments)} exercises behave"
    )
    raise click.exceptions.Exit(ExitCode.NOT_ALL_PASSED if failed else ExitCode.ALL_PASSED)


def _print_trial(trial) -> None:
    mark = "skip" if trial.skipped else "ok  " if trial.ok else "FAIL"
    line = f"{mark} {trial.exercise:<22} {trial.state:<24} {trial.score:>7}"
    click.echo(line + (f"  {trial.detail}" if trial.detail else ""))
