"""two-containers-ping: two containers on a common network ping each other, both ways."""

from __future__ import annotations

from grader.kit import (
    Container,
    Discovery,
    Pair,
    Reach,
    Snapshot,
    check,
    discover_pair,
    expect,
    expect_reaches,
    fail,
    fixture,
    netns_of,
    probe_plan,
    t,
    taken_addresses,
    unchanged_during,
    unused_address,
)


def _shared_network(pair: Pair) -> str | None:
    """A network both are on, with an address each (not ``host`` or ``none``)."""
    for name in sorted(pair.a.shares_network_with(pair.b)):
        if pair.a.networks[name].ip and pair.b.networks[name].ip:
            return name
    return None


def _interactive(container: Container) -> bool:
    return container.tty and container.open_stdin


def discover(snapshot: Snapshot, params) -> Discovery:
    """The newest pair on a common network, preferring one started with -it as the course
    asks: an app container run since (exercises 1, 6, 8) is not "A" or "B"."""
    return discover_pair(
        snapshot,
        (params["a"], params["b"]),
        snapshot.steady(),
        accept=lambda p: _shared_network(p) is not None,
        prefer=_interactive,
    )


def _directions(pair: Pair) -> dict[str, tuple]:
    """check id -> (source, target, source letter, target letter) on the shared network."""
    return {"b-reaches-a": (pair.b, pair.a, "B", "A"), "a-reaches-b": (pair.a, pair.b, "A", "B")}


def _reach(snapshot: Snapshot, pair: Pair, check_id: str) -> Reach:
    """A ping from the source's network namespace: the source's gateway as control of a
    silence, a free address of the network as control of an answer."""
    network = _shared_network(pair)
    source, target, source_letter, target_letter = _directions(pair)[check_id]
    return Reach(
        target_ip=target.networks[network].ip,
        control_ip=snapshot.gateway_of(source.networks[network]),
        silent_ip=unused_address(target.networks[network], taken_addresses(snapshot.containers)),
        netns=netns_of(source),
        source=source_letter,
        target=target_letter,
    )


@probe_plan
def pings(snapshot: Snapshot, params) -> dict[str, Reach]:
    """Both directions' pings, by check id (none without a pair)."""
    pair = discover(snapshot, params).pair
    return (
        {check_id: _reach(snapshot, pair, check_id) for check_id in _directions(pair)}
        if pair
        else {}
    )


@fixture(scope="module")
def discovery(snapshot, params) -> Discovery:
    return discover(snapshot, params)


@fixture
def pair(discovery) -> Pair:
    return discovery.required(covered_by="two-containers")


@check("two-containers")
def check_two_containers(discovery, snapshot, verdict):
    expected = t(
        "two running containers on one network", "deux conteneurs en marche sur un même réseau"
    )
    steady = {c.id for c in snapshot.steady()}
    running = [
        f"{c.describe()}: {', '.join(sorted(c.networks)) or '-'}"
        + ("" if c.id in steady else " (restarting in a loop)")
        for c in snapshot.running()
    ]
    if discovery.problem:
        fail(discovery.problem, expected=expected, found=running)
    expect(
        discovery.pair is not None,
        t(
            "no two running containers share a network",
            "pas deux conteneurs en marche sur un réseau commun",
        ),
        expected=expected,
        found=running,
    )
    pair, network = discovery.pair, _shared_network(discovery.pair)
    verdict.evidence(**pair.evidence(), network=network)
    verdict.note(
        t("A = {a}, B = {b}, on {n}", "A = {a}, B = {b}, sur {n}").format(
            a=pair.a.describe(), b=pair.b.describe(), n=network
        )
    )


@check("interactive")
def check_interactive(pair, verdict):
    flags = {c.describe(): {"tty": c.tty, "open_stdin": c.open_stdin} for c in (pair.a, pair.b)}
    verdict.evidence(containers=flags)
    missing = [
        f"{name}: "
        + " ".join(
            flag for flag, letter in (("-i", "open_stdin"), ("-t", "tty")) if not values[letter]
        )
        for name, values in flags.items()
        if not all(values.values())
    ]
    expect(
        not missing,
        t("not both started with -it", "pas tous deux lancés avec -it"),
        expected="-i -t",
        found=t("missing {m}", "manque {m}").format(m="; ".join(missing)),
    )


def _expect_ping(
    snapshot: Snapshot, pair: Pair, reach: Reach, check_id: str, probes, verdict
) -> None:
    source, target, letter, _ = _directions(pair)[check_id]
    verdict.evidence(
        source=source.describe(),
        target=target.describe(),
        network=_shared_network(pair),
        target_ip=reach.target_ip,
        control=reach.control_ip,
        silent_control=reach.silent_ip,
        probe=f"ping from {letter}'s network namespace",
    )
    with unchanged_during(snapshot.engine.api, pair.a, pair.b):
        expect_reaches(probes, reach)


@check("b-reaches-a")
def check_b_reaches_a(pair, pings, probes, snapshot, verdict):
    _expect_ping(snapshot, pair, pings["b-reaches-a"], "b-reaches-a", probes, verdict)


@check("a-reaches-b")
def check_a_reaches_b(pair, pings, probes, snapshot, verdict):
    _expect_ping(snapshot, pair, pings["a-reaches-b"], "a-reaches-b", probes, verdict)
