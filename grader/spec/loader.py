"""Loads one spec file; errors name the file, the line and the field at fault."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import ValidationError

from grader.errors import SpecError
from grader.spec.models import ExerciseSpec

# libyaml's parser when PyYAML has it: ten times faster, and a batch worker or a watch loads
# every spec at each grading
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str):
    return yaml.load(text, Loader=_LOADER)


def spec_problems(path: Path) -> list[str]:
    """Every problem of a spec file that does not load, each as ``path:line: message`` (the
    loader stops at the first)."""
    try:
        load_exercise(path)
        return []
    except SpecError as error:
        first = error.message
    try:
        text = path.read_text(encoding="utf-8")
        ExerciseSpec.model_validate(_parse(text))
    except ValidationError as error:
        return [_message(path, text, e) for e in error.errors()]
    except Exception:  # unreadable or not YAML: the loader's message says it
        pass
    return [first]


def _message(path: Path, text: str, error: dict) -> str:
    loc = _loc_of(error)
    field = ".".join(str(part) for part in loc) or "(top level)"
    return f"{path}:{spec_line(text, loc)}: field '{field}': {error['msg']}"


def load_exercise(path: Path) -> ExerciseSpec:
    """The spec in ``path``, parsed once per version of the file (a batch worker or a watch
    loads every spec at each grading)."""
    try:
        stat = path.stat()
    except OSError:
        return _load_exercise(path)
    return _cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _cached(path: Path, mtime_ns: int, size: int) -> ExerciseSpec:
    return _load_exercise(path)


def _load_exercise(path: Path) -> ExerciseSpec:
    try:
        text = path.read_text(encoding="utf-8")
        data = _parse(text)
    except OSError as error:
        raise SpecError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SpecError(f"{where}: not valid YAML: {getattr(error, 'problem', error)}") from None
    try:
        spec = ExerciseSpec.model_validate(data)
    except ValidationError as error:
        raise SpecError(_message(path, text, error.errors()[0])) from None
    if spec.id != path.stem:
        raise SpecError(
            f"{path}:{spec_line(text, ('id',))}: field 'id': {spec.id!r} must match "
            f"the file name {path.stem!r}"
        )
    return spec


def _loc_of(error: dict) -> tuple:
    """pydantic's path to the error; for a wrong ``type:`` tag, down to that key."""
    loc = tuple(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc += (error["ctx"]["discriminator"].strip("'"),)
    return loc


def spec_line(text: str, loc: tuple) -> int:
    """The 1-based line of the deepest YAML node on the path ``loc`` (pydantic's error path)."""
    node = yaml.compose(text)
    line = node.start_mark.line if node else 0
    for part in loc:
        node = _child(node, part)
        if node is None:
            break
        line = node.start_mark.line
    return line + 1


def _child(node, part):
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == str(part)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
