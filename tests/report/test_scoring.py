from grader.report.models import Status
from grader.report.outcome import Outcome
from grader.report.scoring import score_exercise
from grader.spec.catalog import Catalog


def test_full_weight_only_when_passed_and_hints_only_when_not():
    spec = Catalog.load().get("network-isolation")
    outcomes = {
        ("network-isolation", "two-bridge-networks"): Outcome(Status.PASSED, "ok"),
        ("network-isolation", "separate-networks"): Outcome(Status.FAILED, "no"),
        ("network-isolation", "host-reaches-a"): Outcome(Status.SKIPPED, "needs A"),
        ("network-isolation", "b-cannot-reach-a"): Outcome(Status.ERROR, "probe broken"),
    }
    result = score_exercise(spec, outcomes, "en")
    by_id = {c.id: c for c in result.checks}
    assert result.score == 1.0 and result.max_score == 6.0
    assert by_id["two-bridge-networks"].hint is None
    assert by_id["b-cannot-reach-a"].score == 0 and by_id["b-cannot-reach-a"].max_score == 2
    assert by_id["separate-networks"].hint.startswith("Run A on one network")
    # a check with no outcome (no function implements it) is an error, never a pass
    assert by_id["host-reaches-b"].status is Status.ERROR
