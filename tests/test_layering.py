"""Imports point one way: CLI -> grading -> checks -> kit -> engine/probes. Read from the source
(ast), so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _offenders(files, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    )


def test_check_modules_import_the_kit_only():
    allowed_prefixes = ("grader.kit",)
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "checks").glob("*.py"))
        for module in _imports(path)
        if (module.startswith("grader") and not module.startswith(allowed_prefixes))
        or module in ("pytest", "docker")
        or module.startswith("docker.")
    ]
    assert not offenders, offenders


def test_the_kit_does_not_import_what_runs_it():
    files = (ROOT / "grader" / "kit").rglob("*.py")
    assert not _offenders(
        files,
        (
            "grader.runner",
            "grader.grading",
            "grader.cli",
            "grader.batch",
            "grader.watch",
            "grader.authoring",
        ),
    )


def test_engine_and_probes_do_not_import_the_layers_above():
    files = [
        *(ROOT / "grader" / "engine").rglob("*.py"),
        *(ROOT / "grader" / "probes").rglob("*.py"),
    ]
    # grader.report.models is plain data (the description of a host): allowed
    forbidden = ("grader.kit", "grader.runner", "grader.grading", "grader.cli", "grader.spec")
    forbidden += ("grader.report.scoring", "grader.report.outcome")
    assert not _offenders(files, forbidden)


def test_the_report_does_not_import_the_runner():
    files = (ROOT / "grader" / "report").rglob("*.py")
    assert not _offenders(files, ("grader.runner", "grader.grading", "grader.cli", "pytest"))


def test_watch_does_not_import_the_cli_nor_the_class_server():
    files = (ROOT / "grader" / "watch").rglob("*.py")
    assert not _offenders(files, ("grader.cli", "click", "grader.classroom"))


def test_the_class_server_does_not_import_the_cli_nor_the_grading():
    files = (ROOT / "grader" / "classroom").rglob("*.py")
    forbidden = ("grader.cli", "click", "grader.grading", "grader.runner", "grader.watch")
    assert not _offenders(files, forbidden)
