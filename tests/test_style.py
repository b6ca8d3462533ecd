"""One style, enforced: ruff's lint and format (configured in pyproject.toml) hold for the
whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = [sys.executable, "-m", "ruff"]


def test_ruff_lint():
    run = subprocess.run(
        [*RUFF, "check", "--output-format", "concise", str(ROOT)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format():
    run = subprocess.run([*RUFF, "format", "--check", str(ROOT)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
