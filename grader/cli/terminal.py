"""What the terminal a report goes to allows: its width, and colour."""

from __future__ import annotations

import os
import sys
from typing import Mapping


def output_width(destination: str) -> int:
    """The terminal's width when the report goes to one, else DEFAULT_WIDTH (a file, a pipe,
    a CI log): never wider than what shows it."""
    from rich.console import Console

    from grader.exporters.text import DEFAULT_WIDTH

    if destination == "-" and sys.stdout.isatty():
        return Console().width  # rich asks the terminal (COLUMNS wins, as for any program)
    return DEFAULT_WIDTH


def colour_allowed(environ: Mapping[str, str] = os.environ) -> bool:
    """False when NO_COLOR is set to anything but the empty string (no-color.org)."""
    return not environ.get("NO_COLOR")
