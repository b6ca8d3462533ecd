"""The two languages of the course, and the one a student's locale asks for (no pydantic here:
the command line reads it before anything heavy is imported)."""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")


def lang_from_environment(environ: os._Environ | dict = os.environ) -> Lang:
    """French for a French locale (``fr_FR.UTF-8``, ``fr``), English otherwise, as gettext
    would read it: LC_ALL, then LC_MESSAGES, then LANG."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            return "fr" if value.split("_")[0].split(".")[0].lower() == "fr" else "en"
    return "en"
