"""Where the built-in exercise pack is: inside the installed package, or the source tree's top
level when run from a checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "bundled"
_SOURCE_TREE = _PACKAGE.parent


def builtin_pack_dir() -> Path:
    """The folder holding ``exercises/``, ``checks/`` and ``solutions/`` of the course."""
    return _BUNDLED if (_BUNDLED / "exercises").is_dir() else _SOURCE_TREE
