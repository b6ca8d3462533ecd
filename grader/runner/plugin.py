"""The grader's pytest plugin: fixtures for the checks, prerequisites, and verdicts.

Registered as an object (never from an entry point), so it serves only docker-grade's runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.checking import MARKER, NotApplicable, Verdict
from grader.i18n import t
from grader.report.models import Status
from grader.runner.context import GradingContext
from grader.runner.outcome import Outcome, outcome_of

_REQUIRES = t("skipped: the prerequisite check '{check}' did not pass",
              "ignoré : la vérification préalable « {check} » n'a pas réussi")


def exercise_of(module_path: str | Path) -> str:
    """``checks/custom_bridge.py`` checks exercise ``custom-bridge``."""
    return Path(module_path).stem.replace("_", "-")


def check_id_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker(MARKER)
    return marker.args[0] if marker and marker.args else None


class GraderPlugin:
    def __init__(self, context: GradingContext):
        self.context = context
        self.outcomes: dict[tuple[str, str], Outcome] = {}

    # -- fixtures the checks ask for by name -------------------------------------------------
    @pytest.fixture(scope="session")
    def snapshot(self):
        return self.context.snapshot

    @pytest.fixture(scope="session")
    def probes(self):
        return self.context.probes

    @pytest.fixture(scope="session")
    def lang(self):
        return self.context.lang

    @pytest.fixture(scope="module")
    def params(self, request) -> dict[str, Any]:
        return self.context.assignment(exercise_of(request.module.__file__)).params

    @pytest.fixture
    def verdict(self, request) -> Verdict:
        return request.node.verdict

    # -- hooks ------------------------------------------------------------------------------
    def pytest_configure(self, config):
        config.addinivalue_line("markers", f"{MARKER}(id): the rubric check a function grades")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Runs the checks in spec order, so that prerequisites are decided first."""
        for item in items:
            item.exercise_id, item.check_id = exercise_of(item.path), check_id_of(item)
            item.verdict = Verdict()
        order = {(a.spec.id, c.id): n for n, (a, c) in enumerate(
            (a, c) for a in self.context.assignments for c in a.spec.checks)}
        items.sort(key=lambda item: order.get((item.exercise_id, item.check_id), len(order)))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Starts every probe the selected exercises plan, so that they run concurrently."""
        modules = {item.module for item in session.items}
        planned = []
        for module in modules:
            plan = getattr(module, "planned_probes", None)
            if plan is None:
                continue
            assignment = self.context.assignment(exercise_of(module.__file__))
            try:
                planned.extend(plan(self.context.snapshot, assignment.params))
            except Exception:  # an optimisation only: the check will meet the problem itself
                pass
        self.context.probes.submit_all(planned)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = self.context.assignment(item.exercise_id).spec
        for required in spec.check(item.check_id).requires if item.check_id else ():
            outcome = self.outcomes.get((item.exercise_id, required))
            if outcome is None or outcome.status is not Status.PASSED:
                raise NotApplicable(_REQUIRES.format(check=required))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = (yield).get_result()
        key = (item.exercise_id, item.check_id)
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            error = call.excinfo.value if call.excinfo else None
            self.outcomes[key] = outcome_of(error, item.verdict, self.context.lang)
            item.grader_duration = getattr(item, "grader_duration", 0.0) + report.duration
        elif call.when == "setup":
            item.grader_duration = report.duration

    def pytest_json_runtest_metadata(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = self.outcomes.get((item.exercise_id, item.check_id))
        if call.when != "teardown" or outcome is None:
            return None
        metadata = outcome.as_metadata()
        metadata.update(exercise=item.exercise_id, check=item.check_id,
                        duration_s=getattr(item, "grader_duration", 0.0))
        return metadata
