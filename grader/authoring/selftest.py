"""``docker-grade selftest``: an exercise proven on a real engine by its own scripts.

For each exercise, on an engine that holds no container: the empty engine must not score full
marks; ``solution.sh`` must score full marks; each ``mistakes/NAME.sh`` must get the statuses
its header states. Each script runs with ``sh`` in a fresh copy of ``solutions/<id>/`` (which
is also the student's folder graded), with ``DOCKER_HOST`` set to the engine and
``DG_SOLUTIONS`` to the pack's ``solutions/`` folder. Everything a script created
(containers, networks, volumes, images and tags) is removed after it is graded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from docker.errors import APIError, NotFound

from grader.authoring.solutions import Script, mistakes, solution
from grader.engine.client import Engine
from grader.engine.container import OWN_LABELS
from grader.grading import grade
from grader.report.models import ExerciseResult, Status
from grader.spec.catalog import Assignment

SCRIPT_TIMEOUT_S = 600  # a script that builds an image may take minutes on a slow machine


@dataclass(frozen=True)
class Trial:
    """One line of the table: a state graded, what it had to get, and whether it did."""

    exercise: str
    state: str  # "empty engine", "solution", or a mistake's name
    score: str
    ok: bool
    detail: str  # what differed, or why the script could not run
    skipped: bool = False  # a mistake of other engines only: not tried here


def refuse_unless_empty(engine: Engine) -> list[str]:
    """The engine's containers (the grader's own left out): selftest needs none."""
    return [
        c["Names"][0].lstrip("/") if c.get("Names") else c["Id"][:12]
        for c in engine.api.containers(all=True)
        if not any(label in (c.get("Labels") or {}) for label in OWN_LABELS)
    ]


def selftest(
    engine: Engine,
    assignments: list[Assignment],
    *,
    probe_image: str,
    on_trial: Callable[[Trial], None] = lambda trial: None,
) -> list[Trial]:
    trials = []
    for assignment in assignments:
        for trial in _exercise_trials(engine, assignment, probe_image):
            on_trial(trial)
            trials.append(trial)
    return trials


def _exercise_trials(engine: Engine, assignment: Assignment, probe_image: str) -> Iterator[Trial]:
    spec, pack = assignment.spec, assignment.pack
    reference = solution(pack, spec.id)
    if reference is None:
        yield Trial(
            spec.id,
            "solution",
            "-",
            False,
            f"no {pack.solution_dir(spec.id)}/solution.sh to prove the exercise with",
        )
        return
    with tempfile.TemporaryDirectory(prefix="docker-grade-selftest-") as scratch:
        # 0755, not 0700: a rootless engine runs as another user, who must reach the folders
        # the solutions bind-mount (nginx's page).
        os.chmod(scratch, 0o755)
        empty = Path(scratch) / "empty"
        empty.mkdir()
        result = _grade(engine, assignment, empty, probe_image)
        yield Trial(
            spec.id,
            "empty engine",
            _score(result),
            result.score < result.max_score,
            "" if result.score < result.max_score else "full marks with nothing done",
        )
        for number, script in enumerate([reference, *mistakes(pack, spec.id)]):
            folder = Path(scratch) / f"{number:02d}-{script.name}"  # names may repeat
            yield _trial(engine, assignment, script, folder, probe_image)


def _trial(
    engine: Engine, assignment: Assignment, script: Script, folder: Path, probe_image: str
) -> Trial:
    spec = assignment.spec
    product = engine.host.product
    if script.engines and product not in script.engines:
        return Trial(
            spec.id,
            script.name,
            "-",
            True,
            f"a mistake on {', '.join(script.engines)} only",
            skipped=True,
        )
    shutil.copytree(assignment.pack.solution_dir(spec.id), folder, symlinks=True)
    before = _objects(engine)
    try:
        problem = _run(script, folder, engine, assignment)
        if problem:
            return Trial(spec.id, script.name, "-", False, problem)
        result = _grade(engine, assignment, folder, probe_image)
    finally:
        _remove_new(engine, before)
    return Trial(spec.id, script.name, _score(result), *_judge(script, result))


def _judge(script: Script, result: ExerciseResult) -> tuple[bool, str]:
    statuses = {check.id: check.status for check in result.checks}
    if script.is_solution:
        wrong = [
            f"{c.id}: {c.status.value} ({c.message})"
            for c in result.checks
            if c.status is not Status.PASSED
        ]
        return not wrong, "; ".join(wrong)
    wrong = [
        f"{check_id}: expected {status.value}, got "
        f"{statuses[check_id].value if check_id in statuses else 'no such check'}"
        for check_id, status in script.expected.items()
        if statuses.get(check_id) != status
    ]
    return not wrong, "; ".join(wrong)


def _run(script: Script, folder: Path, engine: Engine, assignment: Assignment) -> str | None:
    """Runs the script; why it failed, or None."""
    env = {
        **os.environ,
        "DOCKER_HOST": engine.host.docker_host,
        "DG_SOLUTIONS": str(assignment.pack.root / "solutions"),
        **_tls_environment(engine),
    }
    env.pop("DOCKER_CONTEXT", None)  # DOCKER_HOST names the engine; a context would conflict
    try:
        done = subprocess.run(
            ["sh", str(script.path)],
            cwd=folder,
            env=env,
            text=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=SCRIPT_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return f"{script.path.name} ran longer than {SCRIPT_TIMEOUT_S} s"
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        return f"{script.path.name} exited with {done.returncode}: {last[0]}"
    return None


def _tls_environment(engine: Engine) -> dict[str, str]:
    """What the docker CLI needs to reach a TLS engine the way the grader does."""
    tls = engine.endpoint.tls
    if tls is None or not getattr(tls, "cert", None):
        return {}
    folder = str(Path(tls.cert[0]).parent)
    return {"DOCKER_TLS_VERIFY": "1" if tls.verify else "", "DOCKER_CERT_PATH": folder}


def _grade(
    engine: Engine, assignment: Assignment, folder: Path, probe_image: str
) -> ExerciseResult:
    """The exercise graded with its path params taken from ``folder`` (the student's)."""
    report = grade(
        engine=engine,
        assignments=[assignment.in_folder(folder)],
        lang="en",
        probe_image=probe_image,
    )
    return report.exercises[0]


def _score(result: ExerciseResult) -> str:
    return f"{result.score:g}/{result.max_score:g}"


@dataclass(frozen=True)
class _Objects:
    containers: set[str]
    networks: set[str]
    volumes: set[str]
    images: set[str]
    tags: dict[str, str]  # tag -> image id


def _objects(engine: Engine) -> _Objects:
    api = engine.api
    images = api.images(all=True)
    return _Objects(
        containers={c["Id"] for c in api.containers(all=True)},
        networks={n["Id"] for n in api.networks()},
        volumes={v["Name"] for v in (api.volumes().get("Volumes") or [])},
        images={i["Id"] for i in images},
        tags={
            tag: i["Id"]
            for i in images
            for tag in (i.get("RepoTags") or [])
            if tag != "<none>:<none>"
        },
    )


def _remove_new(engine: Engine, before: _Objects) -> None:
    """Removes what appeared since ``before``: containers first (they hold the rest), then
    networks, volumes, new tags on old images, and new images."""
    api, now = engine.api, _objects(engine)
    for container in now.containers - before.containers:
        # killed first: podman's forced removal stops a container gently (10 s for a shell)
        _quietly(api.kill, container)
        _quietly(api.remove_container, container, force=True, v=True)
    for network in now.networks - before.networks:
        _quietly(api.remove_network, network)
    for volume in now.volumes - before.volumes:
        _quietly(api.remove_volume, volume, force=True)
    for tag in now.tags.keys() - before.tags.keys():
        _quietly(api.remove_image, tag, noprune=True)
    for image in now.images - before.images:
        _quietly(api.remove_image, image, force=True)
    for tag, image in before.tags.items():  # a tag the script moved goes back where it was
        if now.tags.get(tag) != image:
            repository, _, name = tag.rpartition(":")
            _quietly(api.tag, image, repository, name)


def _quietly(action: Callable[..., object], *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except (NotFound, APIError):  # already gone with what held it, or still in use: left
        pass
