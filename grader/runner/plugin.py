"""The grader's pytest plugin: collects the check functions, starts the planned probes,
applies prerequisites, and turns how each check ended into its outcome.

Registered as an object (never from an entry point), so it serves only docker-grade's runs.
The fixtures the checks ask for are the kit's (``grader.kit.fixtures``), registered beside it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.i18n import t
from grader.kit.context import GradingContext
from grader.kit.fixtures import CONTEXT, exercise_of
from grader.kit.plans import run_plans
from grader.kit.verdicts import MARKER, NotApplicable, Verdict
from grader.report.models import Status
from grader.report.outcome import Outcome
from grader.runner.classification import outcome_of

log = logging.getLogger("docker_grade")

_REQUIRES = t(
    "skipped: the prerequisite check '{check}' did not pass",
    "ignoré : la vérification préalable « {check} » n'a pas réussi",
)


def check_id_of(function) -> str | None:
    """The rubric check id a function is tied to by ``@check``, or None."""
    marks = getattr(function, "pytestmark", [])
    return next((m.args[0] for m in marks if m.name == MARKER and m.args), None)


def collect_checks(collector, name: str, obj) -> list:
    """Every function marked with ``@check`` is a check, whatever its name; nothing else in a
    check module is collected."""
    if not callable(obj) or isinstance(obj, type) or check_id_of(obj) is None:
        return []
    # _genfunctions: as pytest collects a test function, parametrize included
    return list(collector._genfunctions(name, obj))


def collection_error(report: pytest.CollectReport) -> str:
    """The telling line of a module that could not be collected: its exception."""
    lines = str(report.longrepr).strip().splitlines()
    errors = [line.removeprefix("E").strip() for line in lines if line.startswith("E ")]
    return errors[-1] if errors else (lines[-1] if lines else "?")


class GraderPlugin:
    def __init__(self, context: GradingContext):
        self.context = context
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        # exercise id -> why its check module could not be loaded
        self.broken_modules: dict[str, str] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", f"{MARKER}(id): the rubric check a function grades")
        config.stash[CONTEXT] = self.context

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(self, collector, name: str, obj):
        return collect_checks(collector, name, obj)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and report.nodeid:
            self.broken_modules[exercise_of(report.nodeid)] = collection_error(report)

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Runs the checks in spec order, so that prerequisites are decided first; a function
        whose id the spec does not list is left out (``docker-grade validate`` names it)."""
        for item in items:
            item.exercise_id, item.check_id = exercise_of(item.path), check_id_of(item.obj)
            item.verdict = Verdict()
        unknown = [
            item
            for item in items
            if self.context.assignment(item.exercise_id).spec.find_check(item.check_id) is None
        ]
        if unknown:
            config.hook.pytest_deselected(items=unknown)
            items[:] = [item for item in items if item not in unknown]
        order = {
            (a.spec.id, c.id): n
            for n, (a, c) in enumerate(
                (a, c) for a in self.context.assignments for c in a.spec.checks
            )
        }
        items.sort(key=lambda item: order.get((item.exercise_id, item.check_id), len(order)))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Starts every probe the selected exercises plan (``@probe_plan``), so that they run
        concurrently; then the exercises that planned none are checked first, while the probes
        run (each exercise's checks stay together, in their order).

        The modules' plans are computed side by side, and each module's probes start as soon
        as its plan is known: a plan that must read a crowd of containers (discovery on a
        busy host) delays no other exercise's probes, the slowest of which (a silence waited
        out) sets the grading's time. Only probes of one module then share a container: one
        more container for the whole course."""
        modules = list(dict.fromkeys(item.module for item in session.items))  # in a set order
        if not modules:
            return
        with ThreadPoolExecutor(len(modules), thread_name_prefix="plan") as pool:
            planned = dict(pool.map(lambda module: self._plan(session.config, module), modules))
        session.items.sort(key=lambda item: bool(planned.get(item.module.__name__)))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtestloop(self, session: pytest.Session):
        """Once every check ran, no probe is asked for: the probe containers can go while
        pytest ends its session."""
        yield
        self.context.probes.no_more_probes()

    def _plan(self, config: pytest.Config, module) -> tuple[str, list]:
        """A module's planned probes, started."""
        assignment = self.context.assignment(exercise_of(module.__file__))
        try:
            probes = run_plans(config, module, self.context.snapshot, assignment.params)
        except Exception as error:  # the check that uses the plan meets it again and says so
            log.debug("a probe plan of %s failed: %r", module.__file__, error)
            return module.__name__, []
        self.context.probes.submit_all(probes)
        return module.__name__, probes

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = self.context.assignment(item.exercise_id).spec
        for required in spec.check(item.check_id).requires:
            outcome = self.outcomes.get((item.exercise_id, required))
            if outcome is None or outcome.status is not Status.PASSED:
                raise NotApplicable(_REQUIRES.format(check=required))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = (yield).get_result()
        item.grader_duration = getattr(item, "grader_duration", 0.0) + report.duration
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            error = call.excinfo.value if call.excinfo else None
            self.outcomes[(item.exercise_id, item.check_id)] = outcome_of(
                error, item.verdict, self.context.lang, item.grader_duration
            )
