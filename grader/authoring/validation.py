"""``docker-grade validate``: what is wrong in a pack, found without an engine, each problem as
``file:line: what to change``.

It loads every spec (schema, placeholders, both languages, ``requires``), collects every check
module with the grader's own collection (so a function is a check exactly when a grading would
run it), and compares the two: a spec check without a function, a function whose id the spec
does not list, a function asking for a fixture that does not exist, a mistake script expecting
a check that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.authoring.solutions import ScriptError, mistakes, solution
from grader.errors import SpecError
from grader.kit import fixtures
from grader.kit.fixtures import exercise_of
from grader.runner.plugin import check_id_of, collect_checks, collection_error
from grader.runner.session import run_pytest
from grader.spec.loader import load_exercise, spec_line, spec_problems
from grader.spec.models import ExerciseSpec
from grader.spec.packs import Pack


@dataclass(frozen=True)
class Problem:
    where: str  # "path:line"
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {'warning: ' if self.warning else ''}{self.message}"


def validate_pack(pack: Pack) -> list[Problem]:
    """Every problem of the pack; warnings do not make it invalid."""
    problems: list[Problem] = []
    specs: dict[str, tuple[ExerciseSpec, Path]] = {}
    for path in pack.spec_paths():
        try:
            specs[path.stem] = (load_exercise(path), path)
        except SpecError:
            problems += [Problem(*_split(message)) for message in spec_problems(path)]
    checks_dir = pack.root / "checks"
    modules = sorted(checks_dir.glob("[!_]*.py")) if checks_dir.is_dir() else []
    collected = _collect(modules)
    for module in modules:
        if not (pack.specs_dir / f"{exercise_of(module)}.yaml").is_file():
            problems.append(
                Problem(
                    f"{module}:1", f"no exercises/{exercise_of(module)}.yaml for this check module"
                )
            )
        problems += _module_problems(module, collected[str(module.resolve())])
    for exercise_id, (spec, spec_path) in specs.items():
        module = pack.check_module(exercise_id)
        if not module.is_file():
            problems.append(
                Problem(
                    f"{spec_path}:1",
                    f"no check module checks/{module.name} for exercise '{spec.id}'",
                )
            )
        elif not collected[str(module.resolve())].error:
            problems += _compare(spec, spec_path, module, collected[str(module.resolve())])
        problems += _scripts(pack, spec, spec_path)
    return problems


def _split(message: str) -> tuple[str, str]:
    """``path:line: message`` into its place and its message."""
    head, _, rest = message.partition(": ")
    return head, rest


@dataclass
class _Module:
    error: str | None = None
    checks: list[tuple[str, int, list[str]]] = field(default_factory=list)  # id, line, unknown


def _module_problems(module: Path, collected: _Module) -> list[Problem]:
    """What is wrong in a check module whatever its spec says."""
    if collected.error:
        return [Problem(f"{module}:1", f"the module does not load: {collected.error}")]
    problems = []
    first_line: dict[str, int] = {}
    for check_id, line, unknown in collected.checks:
        for name in unknown:
            problems.append(
                Problem(
                    f"{module}:{line}",
                    f"@check({check_id!r}) asks for a fixture "
                    f"'{name}' that does not exist (the kit's: "
                    f"{', '.join(fixtures.NAMES)}, or the module's own @fixture)",
                )
            )
        if check_id in first_line:
            problems.append(
                Problem(
                    f"{module}:{line}",
                    f"a second function for "
                    f"@check({check_id!r}) (the first is on line "
                    f"{first_line[check_id]})",
                )
            )
        first_line.setdefault(check_id, line)
    return problems


def _compare(
    spec: ExerciseSpec, spec_path: Path, module: Path, collected: _Module
) -> list[Problem]:
    """The spec's check ids against the module's ``@check`` ids, both ways."""
    problems = []
    implemented = {check_id for check_id, _, _ in collected.checks}
    for check_id, line, _ in collected.checks:
        if spec.find_check(check_id) is None:
            problems.append(
                Problem(
                    f"{module}:{line}",
                    f"@check({check_id!r}): the spec lists no "
                    f"such check (its ids: {', '.join(c.id for c in spec.checks)})",
                )
            )
    text = spec_path.read_text(encoding="utf-8")
    for index, check in enumerate(spec.checks):
        if check.id not in implemented:
            line = spec_line(text, ("checks", index, "id"))
            problems.append(
                Problem(
                    f"{spec_path}:{line}",
                    f"check '{check.id}' has no function: "
                    f"add @check({check.id!r}) to one in checks/{module.name}",
                )
            )
    return problems


def _scripts(pack: Pack, spec: ExerciseSpec, spec_path: Path) -> list[Problem]:
    problems = []
    if solution(pack, spec.id) is None:
        problems.append(
            Problem(
                f"{spec_path}:1",
                f"no solutions/{spec.id}/solution.sh: "
                "docker-grade selftest cannot prove this exercise",
                warning=True,
            )
        )
    try:
        scripts = mistakes(pack, spec.id)
    except ScriptError as error:
        where, _, message = str(error).partition(": ")
        return problems + [Problem(where, message)]
    for script in scripts:
        for check_id, line in script.lines.items():
            if spec.find_check(check_id) is None:
                problems.append(
                    Problem(
                        f"{script.path}:{line}",
                        f"expects check '{check_id}', which exercise '{spec.id}' does not have",
                    )
                )
    return problems


class _CollectingPlugin:
    """Collects check modules as a grading would, and records for each check function the
    fixtures it asks for that nothing provides."""

    def __init__(self) -> None:
        self.modules: dict[str, _Module] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(self, collector, name, obj):
        return collect_checks(collector, name, obj)

    def pytest_configure(self, config: pytest.Config) -> None:
        self.rootpath = config.rootpath

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and report.nodeid:
            path = str((self.rootpath / report.nodeid.split("::")[0]).resolve())
            self.modules[path] = _Module(error=collection_error(report))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            info = item._fixtureinfo  # what pytest resolved for this function
            unknown = [
                name
                for name in info.names_closure
                if name not in info.name2fixturedefs and name != "request"
            ]
            module = self.modules.setdefault(str(Path(item.path).resolve()), _Module())
            module.checks.append((check_id_of(item.obj), item.obj.__code__.co_firstlineno, unknown))


def _collect(modules: list[Path]) -> dict[str, _Module]:
    if not modules:
        return {}
    plugin = _CollectingPlugin()
    run_pytest([str(m) for m in modules], [plugin], "--collect-only")
    for module in modules:
        plugin.modules.setdefault(str(module.resolve()), _Module())
    return {path: module for path, module in plugin.modules.items()}
