"""Commands that grade nothing start without the Docker SDK or pytest (issue 10: a start that
feels instant): they are imported only by the commands that grade."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from grader.cli import docker_grade
try:
    docker_grade.main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(sorted(m for m in ("docker", "paramiko", "pytest", "_pytest", "pydantic", "rich", "jinja2")
             if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args, needed",
    [
        (["--help"], []),  # nothing heavy at all: click alone
        (["check", "--help"], []),
        (["watch", "--help"], []),
        (["batch", "--help"], []),
        (["serve", "--help"], []),
        (["list"], ["pydantic"]),  # the specs are pydantic models
        (["schema"], ["pydantic"]),
        (["explain", "custom-bridge"], ["pydantic"]),
    ],
)
def test_no_heavy_import_before_grading(args, needed, tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )

    assert run.stderr.strip().splitlines()[-1] == repr(needed), run.stderr
