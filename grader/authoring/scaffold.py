"""``docker-grade new ID``: a pack folder with one exercise that validates and that
``selftest`` grades at full marks: a named volume that keeps a file across ``docker rm``
(edit it into your own; docs/authoring.md walks through it)."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from grader.errors import UsageError
from grader.spec.models import taken_module_name

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_TEMPLATES = {  # template -> where it goes, under the pack folder
    "exercise.yaml.j2": "exercises/{id}.yaml",
    "check.py.j2": "checks/{module}.py",
    "solution.sh.j2": "solutions/{id}/solution.sh",
    "mistakes/container-kept.sh.j2": "solutions/{id}/mistakes/container-kept.sh",
    "mistakes/anonymous-volume.sh.j2": "solutions/{id}/mistakes/anonymous-volume.sh",
}


def new_exercise(exercise_id: str, folder: Path, number: int) -> list[Path]:
    """Writes the exercise's files under ``folder``; refuses to overwrite any file."""
    if not _ID.match(exercise_id):
        raise UsageError(
            f"{exercise_id!r} is not an exercise id: lowercase letters and digits, "
            "words joined by '-' (e.g. notes-volume)"
        )
    if taken_module_name(exercise_id):
        raise UsageError(
            f"{exercise_id!r} is the name of a Python module: its check module "
            f"would not be imported (choose another id, e.g. {exercise_id}-lab)"
        )
    values = {"id": exercise_id, "module": exercise_id.replace("-", "_"), "number": number}
    targets = {template: folder / place.format(**values) for template, place in _TEMPLATES.items()}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing:
        raise UsageError(f"{existing[0]} already exists: choose another id or folder")
    environment = Environment(
        loader=PackageLoader("grader.authoring", "template"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    for template, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment.get_template(template).render(values), encoding="utf-8")
    return list(targets.values())
