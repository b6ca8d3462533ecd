"""One pytest run per grading, in-process, over the selected exercises' check modules.

Isolated from the folder it is started in: our own ini file (``-c``), no conftest
(``--noconftest``), no plugin but ours and the kit's fixtures (autoload off), no cache, no
bytecode, and the student's ``PYTEST_*`` variables ignored; so nothing is read from or written
to the student's folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Iterator
from unittest import mock

import _pytest.runner
import pytest

from grader.errors import GraderError
from grader.i18n import t
from grader.kit import fixtures
from grader.kit.context import GradingContext
from grader.report.models import Status
from grader.report.outcome import Outcome
from grader.runner.plugin import GraderPlugin

_INI = Path(__file__).with_name("pytest.ini")
# pytest's plugins a grading never uses: each costs its registration at every run, and
# unraisableexception and threadexception run the garbage collector twice at the end of each.
_UNUSED_PLUGINS = [
    arg
    for plugin in (
        "cacheprovider",
        "unraisableexception",
        "threadexception",
        "junitxml",
        "pastebin",
        "doctest",
        "stepwise",
        "setuponly",
        "setupplan",
        "legacypath",
        "tmpdir",
        "recwarn",
        "debugging",
        "unittest",
        "faulthandler",
        "logging",
        "warnings",
        "subtests",
    )
    for arg in ("-p", f"no:{plugin}")
]
_STUDENT_VARIABLES = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DEBUG")


_BROKEN_MODULE = t(
    "the check module could not be loaded: {e} (docker-grade validate says more)",
    "le module de vérification n'a pas pu être chargé : {e} (docker-grade validate en dit plus)",
)


def run_checks(context: GradingContext) -> dict[tuple[str, str], Outcome]:
    """Runs every check of the selected exercises; returns each one's outcome by
    ``(exercise id, check id)``. A check with no outcome (no function for it) is absent."""
    modules = [str(a.check_module) for a in context.assignments if a.check_module.is_file()]
    if not modules:
        return {}
    plugin = GraderPlugin(context)
    try:
        exit_code = run_pytest(modules, [plugin])
    finally:
        # Probes a check did not wait for may still run: they must not see the environment
        # change under them either.
        context.probes.wait()
    if exit_code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if exit_code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise GraderError(f"the check modules could not run (pytest exit code {exit_code})")
    return {**_broken_module_outcomes(context, plugin.broken_modules), **plugin.outcomes}


def run_pytest(modules: list[str], plugins: list, *extra_args: str) -> int:
    """pytest over check modules, isolated from the current folder, with the kit's fixtures."""
    args = [
        *modules,
        "-c",
        str(_INI),
        "--rootdir",
        _common_folder(modules),
        "--noconftest",
        "--import-mode=importlib",
        "--assert=plain",
        "--capture=sys",
        "--tb=no",  # a failed check is an outcome, not a traceback to format
        "-q",
        "-W",
        "ignore",
        "--continue-on-collection-errors",
        *_UNUSED_PLUGINS,
        *extra_args,
    ]
    try:
        with _isolated_environment(), _no_current_test_variable():
            return pytest.main(args, plugins=[*plugins, fixtures])
    finally:
        _forget_modules(modules)


def _common_folder(modules: list[str]) -> str:
    """The rootdir: a folder holding every module (packs may live anywhere), so that each one
    has a node id of its own."""
    folders = [str(Path(module).resolve().parent) for module in modules]
    try:
        return os.path.commonpath(folders)
    except ValueError:  # on two Windows drives: no common folder
        return folders[0]


def _forget_modules(paths: list[str]) -> None:
    """pytest (importlib mode) reuses a module already in ``sys.modules`` under the same name,
    even from another file: a later run in this process (watch, validate, another pack's
    ``vol.py``) must import the file as it is then. pytest names a module's ``__file__`` as it
    was given: compared as strings, without resolving every module's path."""
    wanted = {str(Path(path)) for path in paths} | {str(Path(path).resolve()) for path in paths}
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) in wanted:
            del sys.modules[name]


def _broken_module_outcomes(
    context: GradingContext, broken: dict[str, str]
) -> dict[tuple[str, str], Outcome]:
    """Every check of an exercise whose module does not load is an error that says why."""
    return {
        (exercise_id, check.id): Outcome(
            Status.ERROR, _BROKEN_MODULE.format(e=reason).render(context.lang)
        )
        for exercise_id, reason in broken.items()
        for check in context.assignment(exercise_id).spec.checks
    }


@contextlib.contextmanager
def _no_current_test_variable() -> Iterator[None]:
    """Keeps pytest from writing PYTEST_CURRENT_TEST into ``os.environ`` around each phase.

    Probe threads run meanwhile, and code we do not own reads the environment there (docker-py's
    ssh transport copies it for every API call): a copy that met the key just deleted raised
    KeyError, and a correct solution was graded ``error``. Checks are not tests a person
    debugs with that variable, so a grading does not set it.
    """
    with mock.patch.object(_pytest.runner, "_update_current_test_var", lambda item, when: None):
        yield


@contextlib.contextmanager
def _isolated_environment() -> Iterator[None]:
    saved_env = {
        name: os.environ.get(name)
        for name in (*_STUDENT_VARIABLES, "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    saved_bytecode = sys.dont_write_bytecode
    for name in _STUDENT_VARIABLES:
        os.environ.pop(name, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sys.dont_write_bytecode = True
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        sys.dont_write_bytecode = saved_bytecode
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
