"""Where the exercise specs and check modules are: inside the installed package, or in the
source tree when run from a checkout."""

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "bundled"
_SOURCE_TREE = _PACKAGE.parent


def _data_dir(name: str) -> Path:
    bundled = _BUNDLED / name
    return bundled if bundled.is_dir() else _SOURCE_TREE / name


def exercises_dir() -> Path:
    """``DOCKER_GRADE_EXERCISES`` points at another folder of specs (a course author's)."""
    override = os.environ.get("DOCKER_GRADE_EXERCISES")
    return Path(override) if override else _data_dir("exercises")


def checks_dir() -> Path:
    return _data_dir("checks")


def check_module_path(exercise_id: str) -> Path:
    """`custom-bridge` is checked by `checks/custom_bridge.py`."""
    return checks_dir() / f"{exercise_id.replace('-', '_')}.py"
