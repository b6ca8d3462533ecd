"""Probe threads and the pytest session share one process: nothing the session does to it may
reach a probe (issue 12: a correct solution graded `error` with KeyError 'PYTEST_CURRENT_TEST').

pytest sets and deletes PYTEST_CURRENT_TEST around every test phase in the main thread; a probe
thread that read the process environment meanwhile (requests reads the proxy variables by
iterating it, docker-py's ssh transport copies it for each connection) met a key deleted under
it. The stress below runs many probes on a real engine across hundreds of pytest phases, with
the interpreter switching threads as often as it can, so that the race shows in every run
rather than once in hundreds of gradings.
"""

from __future__ import annotations

import os
import sys
import textwrap

import pytest

from grader.engine.client import connect
from grader.engine.snapshot import Snapshot
from grader.i18n import t
from grader.kit.context import GradingContext
from grader.probes import ProbeRunner
from grader.report.models import Status
from grader.runner import session
from grader.spec.catalog import Assignment
from grader.spec.models import CheckSpec, ExerciseSpec
from grader.spec.packs import Pack


def _stress_module(probes: int, phases: int) -> str:
    """``probes`` probes submitted at once, then a check run ``phases`` times (three pytest
    phases apiece), then a check that every probe came back."""
    return textwrap.dedent(f"""
    import pytest

    from grader.kit.verdicts import check, fail
    from grader.probes import Probe

    PROBES = [Probe(command=("sh", "-c", "exit 0", str(n)), netns="none", timeout_s=60)
              for n in range({probes})]

    @check("submit")
    def check_submit(probes):
        for probe in PROBES:
            probes.submit(probe)  # they run in the probe threads while the phases below go on

    @check("collect")
    def check_collect(probes):
        problems = [repr(probes.submit(p).exception()) for p in PROBES
                    if probes.submit(p).exception() or not probes.run(p).succeeded]
        if problems:
            fail("probes broke: " + "; ".join(problems[:3]))

    @check("phase")
    @pytest.mark.parametrize("n", range({phases}))
    def check_phase(n):
        pass
    """)


def _stress_spec(ids: list[str]) -> ExerciseSpec:
    text = t("stress", "stress")
    return ExerciseSpec(
        id="env-race-stress",
        number=99,
        title=text,
        statement=text,
        checks=[CheckSpec(id=i, weight=1, title=text, hint=text) for i in ids],
    )


@pytest.fixture
def fast_thread_switches():
    """Makes the interpreter switch threads every microsecond instead of every 5 ms."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _grade_stress(
    docker_host: str | None,
    module_text: str,
    tmp_path,
    monkeypatch,
    check_ids=("submit", "phase", "collect"),
) -> dict:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "env_race_stress.py").write_text(module_text)
    engine = connect(docker_host)
    try:
        with ProbeRunner(engine) as probes:
            context = GradingContext(
                Snapshot.take(engine),
                probes,
                "en",
                [Assignment(_stress_spec(list(check_ids)), {}, Pack(tmp_path, "test"))],
            )
            return session.run_checks(context)
    finally:
        engine.close()


@pytest.mark.engine
def test_probe_threads_survive_a_thousand_pytest_phases(
    docker_client, fixture_images, fast_thread_switches, tmp_path, monkeypatch
):
    outcomes = _grade_stress(None, _stress_module(probes=32, phases=1000), tmp_path, monkeypatch)

    collected = outcomes[("env-race-stress", "collect")]
    assert collected.status is Status.PASSED, collected.message
    assert {o.status for o in outcomes.values()} == {Status.PASSED}


@pytest.mark.engine
def test_grading_leaves_the_process_environment_alone(docker_client, tmp_path, monkeypatch):
    # Readers we do not own remain (docker-py's ssh transport copies os.environ for every API
    # call, in the calling probe thread): pytest must not write it while probes run.
    module_text = textwrap.dedent("""
        import os

        import pytest

        from grader.kit.verdicts import check, fail

        AT_COLLECTION = os.environ.get("PYTEST_CURRENT_TEST")  # the outer test's, if any

        @check("phase")
        @pytest.mark.parametrize("n", range(3))
        def check_phase(n):
            if os.environ.get("PYTEST_CURRENT_TEST") != AT_COLLECTION:
                fail("pytest wrote PYTEST_CURRENT_TEST: " + os.environ["PYTEST_CURRENT_TEST"])
        """)
    before = dict(os.environ)

    outcomes = _grade_stress(None, module_text, tmp_path, monkeypatch, check_ids=["phase"])

    phase = outcomes[("env-race-stress", "phase")]
    assert phase.status is Status.PASSED, phase.message
    assert dict(os.environ) == before
