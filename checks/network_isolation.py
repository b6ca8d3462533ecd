"""network-isolation: containers on two bridge networks cannot talk; the host reaches both."""

from __future__ import annotations

from grader.kit import (
    HOST,
    LOOPBACK,
    PODMAN,
    CheckFailed,
    Container,
    Discovery,
    Isolation,
    Pair,
    Reach,
    Snapshot,
    Undecided,
    answers_ping,
    check,
    discover_pair,
    expect,
    expect_isolated,
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


def _candidates(snapshot: Snapshot) -> list[Container]:
    """Steady running containers on at least one user-defined bridge network."""
    user_bridges = {n.name for n in snapshot.networks if n.is_user_bridge}
    return [c for c in snapshot.steady() if user_bridges & set(c.networks)]


def _bridge_ip(snapshot: Snapshot, container: Container, network: str | None) -> str | None:
    """The container's address on ``network``, else on its first user-defined bridge."""
    endpoint = _bridge_endpoint(snapshot, container, network)
    return endpoint.ip if endpoint else None


def _bridge_endpoint(snapshot: Snapshot, container: Container, network: str | None):
    names = [network] if network else sorted(container.networks)
    for name in names:
        net = snapshot.network(name)
        endpoint = container.networks.get(name)
        if net and net.is_user_bridge and endpoint and endpoint.ip:
            return endpoint
    return None


def _silent_ip(snapshot: Snapshot, container: Container, network: str | None) -> str | None:
    """A free address beside ``container`` on its bridge: the probes' negative control."""
    endpoint = _bridge_endpoint(snapshot, container, network)
    return unused_address(endpoint, taken_addresses(snapshot.containers)) if endpoint else None


def _separated(pair: Pair, params) -> bool:
    return (
        not pair.a.shares_network_with(pair.b)
        and (params["net_a"] is None or params["net_a"] in pair.a.networks)
        and (params["net_b"] is None or params["net_b"] in pair.b.networks)
    )


def discover(snapshot: Snapshot, params) -> Discovery:
    """The newest pair on separate user-defined bridge networks: the rubric's A and B."""
    return discover_pair(
        snapshot,
        (params["a"], params["b"]),
        _candidates(snapshot),
        accept=lambda p: _separated(p, params),
    )


def _sharing(snapshot: Snapshot) -> Pair | None:
    """The newest pair that would be A and B but for a network they share (for the message)."""
    return discover_pair(snapshot, (None, None), _candidates(snapshot), accept=lambda p: True).pair


def _host_reach(
    snapshot: Snapshot, container: Container, net: str | None, letter: str
) -> Reach | None:
    """A ping of ``container`` from the host (loopback as control of a silence); None when it
    has no address on a bridge network."""
    ip = _bridge_ip(snapshot, container, net)
    if ip is None:
        return None
    return Reach(
        target_ip=ip,
        control_ip=LOOPBACK,
        silent_ip=_silent_ip(snapshot, container, net),
        netns=HOST,
        source=t("the host", "l'hôte"),
        target=letter,
    )


def _b_to_a(snapshot: Snapshot, pair: Pair, params) -> Isolation:
    return Isolation(
        target_ips=tuple(_ips(pair.a)),
        control_ip=_control_ip(snapshot, pair, params),
        silent_ip=_silent_ip(snapshot, pair.a, params["net_a"]),
        netns=netns_of(pair.b),
        source="B",
        target="A",
    )


@probe_plan
def pings(snapshot: Snapshot, params) -> dict:
    """The pings of the three behavioural checks, by check id (none without a pair)."""
    pair = discover(snapshot, params).pair
    if pair is None:
        return {}
    return {
        "host-reaches-a": _host_reach(snapshot, pair.a, params["net_a"], "A"),
        "host-reaches-b": _host_reach(snapshot, pair.b, params["net_b"], "B"),
        "b-cannot-reach-a": _b_to_a(snapshot, pair, params),
    }


def _control_ip(snapshot: Snapshot, pair: Pair, params) -> str:
    """B's gateway: what B must reach for a silence of A to count as isolation."""
    endpoint = pair.b.networks.get(params["net_b"] or "") or next(iter(pair.b.networks.values()))
    return snapshot.gateway_of(endpoint)


def _ips(container: Container) -> list[str]:
    return [e.ip for e in container.networks.values() if e.ip]


@fixture(scope="module")
def discovery(snapshot, params):
    return discover(snapshot, params)


@fixture
def pair(discovery) -> Pair:
    return discovery.required(covered_by="separate-networks")


@check("two-bridge-networks")
def check_two_bridge_networks(snapshot, verdict):
    bridges = [n.name for n in snapshot.networks if n.is_user_bridge]
    verdict.evidence(bridge_networks=bridges)
    expect(
        len(bridges) >= 2,
        t("not enough bridge networks", "pas assez de réseaux bridge"),
        expected=t(
            "at least 2 user-defined bridge networks",
            "au moins 2 réseaux bridge créés par l'utilisateur",
        ),
        found=bridges,
    )


@check("separate-networks")
def check_separate_networks(discovery, snapshot, verdict):
    expected = t(
        "A and B running on two bridge networks, none in common",
        "A et B en marche sur deux réseaux bridge, sans réseau commun",
    )
    if discovery.problem:
        fail(
            discovery.problem,
            expected=expected,
            found=[c.describe() for c in _candidates(snapshot)],
        )
    if discovery.pair is None:
        sharing = _sharing(snapshot)
        if sharing is None:
            fail(
                t(
                    "no two running containers on user-defined bridge networks",
                    "pas deux conteneurs en marche sur des réseaux bridge créés par l'utilisateur",
                ),
                expected=expected,
                found=[c.describe() for c in _candidates(snapshot)],
            )
        verdict.evidence(**sharing.evidence())
        fail(
            t("A and B are not on separate networks", "A et B ne sont pas sur des réseaux séparés"),
            expected=expected,
            found=t("{a} and {b} share {n}", "{a} et {b} partagent {n}").format(
                a=sharing.a.describe(),
                b=sharing.b.describe(),
                n=", ".join(sorted(sharing.a.shares_network_with(sharing.b))),
            ),
        )
    pair = discovery.pair
    verdict.evidence(**pair.evidence())
    verdict.note(
        t("A = {a} on {na}; B = {b} on {nb}", "A = {a} sur {na} ; B = {b} sur {nb}").format(
            a=pair.a.describe(),
            na=", ".join(sorted(pair.a.networks)),
            b=pair.b.describe(),
            nb=", ".join(sorted(pair.b.networks)),
        )
    )


def _expect_host_reaches(
    probes, snapshot, verdict, container: Container, reach: Reach | None, letter: str
) -> None:
    verdict.evidence(
        container=container.describe(),
        ip=reach and reach.target_ip,
        probe="ping from the host's namespace",
    )
    if reach is None:
        fail(
            t(
                "{x} has no address on a bridge network",
                "{x} n'a pas d'adresse sur un réseau bridge",
            ).format(x=letter),
            expected=t("an address", "une adresse"),
            found=_ips(container),
        )
    with unchanged_during(snapshot.engine.api, container):
        expect_reaches(probes, reach)


@check("host-reaches-a")
def check_host_reaches_a(pair, pings, probes, snapshot, verdict):
    _expect_host_reaches(probes, snapshot, verdict, pair.a, pings["host-reaches-a"], "A")


@check("host-reaches-b")
def check_host_reaches_b(pair, pings, probes, snapshot, verdict):
    _expect_host_reaches(probes, snapshot, verdict, pair.b, pings["host-reaches-b"], "B")


@check("b-cannot-reach-a")
def check_b_cannot_reach_a(pair, pings, probes, snapshot, params, verdict):
    with unchanged_during(snapshot.engine.api, pair.a, pair.b):
        _expect_b_cannot_reach_a(pair, pings["b-cannot-reach-a"], probes, snapshot, params, verdict)


def _expect_b_cannot_reach_a(pair, isolation: Isolation, probes, snapshot, params, verdict) -> None:
    a_ip = _bridge_ip(snapshot, pair.a, params["net_a"])
    verdict.evidence(
        a=pair.a.describe(),
        b=pair.b.describe(),
        a_addresses=_ips(pair.a),
        control=isolation.control_ip,
        probe="ping from B's network namespace",
    )
    # A must answer pings at all (from the host) for its silence towards B to mean isolation.
    if a_ip is None or not answers_ping(probes, a_ip, netns=HOST):
        raise Undecided(
            t(
                "A does not answer pings even from the host: its silence from B proves nothing",
                "A ne répond aux pings même pas depuis l'hôte : son "
                "silence depuis B ne prouve rien",
            )
        )
    try:
        expect_isolated(probes, isolation)
    except CheckFailed as failure:
        if snapshot.engine.host.product != PODMAN:
            raise
        fail(
            t(
                "{w} (podman's bridge networks reach each other unless both are created with "
                "-o isolate=true)",
                "{w} (les réseaux bridge de podman se joignent sauf si les "
                "deux sont créés avec -o isolate=true)",
            ).format(w=failure.what),
            expected=failure.expected,
            found=failure.found,
        )
