"""custom-bridge: a bridge network with a chosen subnet, and a busybox container on it."""

from __future__ import annotations

import ipaddress

from grader.kit import Container, Network, check, expect, fail, fixture, t


@fixture(scope="module")
def network(snapshot, params) -> Network | None:
    return snapshot.network(params["network"])


@fixture(scope="module")
def attached(snapshot, params, network) -> list[Container]:
    """Running containers of the image, attached to the network with an address in the subnet,
    best first (run with -itd)."""
    subnet = ipaddress.ip_network(params["subnet"])
    found = [
        c
        for c in snapshot.running()
        if network
        and network.name in c.networks
        and snapshot.runs_image(c, params["image"])
        and c.networks[network.name].ip
        and ipaddress.ip_address(c.networks[network.name].ip) in subnet
    ]
    return sorted(found, key=lambda c: not _detached_with_tty(c))


def _detached_with_tty(container: Container) -> bool:
    """Judged on how it runs now (the rubric's clarification): a running container with a TTY
    and open stdin, whether run with -itd, run with -it and left with Ctrl-P Ctrl-Q, or made
    with `docker create -it` and started. Whether a terminal is attached is not the engine's
    to say."""
    return container.running and container.tty and container.open_stdin


@check("network-exists")
def check_network_exists(network, params, snapshot, verdict):
    verdict.evidence(networks=[n.name for n in snapshot.networks if n.user_defined])
    expect(
        network is not None,
        t("no such network", "réseau introuvable"),
        expected=t("a network named {n}", "un réseau nommé {n}").format(n=params["network"]),
        found=[n.name for n in snapshot.networks if n.user_defined],
    )
    verdict.evidence(network=network.name, network_id=network.id[:12])


@check("network-driver")
def check_network_driver(network, verdict):
    verdict.evidence(network=network.name, driver=network.driver)
    expect(
        network.driver == "bridge",
        t("wrong driver", "mauvais pilote"),
        expected="bridge",
        found=network.driver,
    )


@check("network-subnet")
def check_network_subnet(network, params, verdict):
    wanted = params["subnet"]
    verdict.evidence(network=network.name, subnets=list(network.subnets))
    if any(_same_network(subnet, wanted) for subnet in network.subnets):
        return
    what = t("wrong subnet", "mauvais sous-réseau")
    wider = [s for s in network.subnets if _contains(s, wanted)]
    if wider:
        what = t(
            "the subnet is wider than asked: check the prefix length",
            "le sous-réseau est plus large que demandé : vérifiez la longueur du préfixe",
        )
    fail(what, expected=wanted, found=list(network.subnets))


def _same_network(a: str, b: str) -> bool:
    """Compared as networks, not strings: IPv6 has many spellings of one subnet."""
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return False


def _contains(outer: str, inner: str) -> bool:
    try:
        return ipaddress.ip_network(inner).subnet_of(ipaddress.ip_network(outer))
    except (TypeError, ValueError):
        return False


@check("container-attached")
def check_container_attached(attached, network, params, snapshot, verdict):
    on_network = [c.describe() for c in snapshot.running() if network.name in c.networks]
    verdict.evidence(network=network.name, running_on_network=on_network)
    if not attached:
        fail(
            t(
                "no running {i} container on {n} with an address in {s}",
                "aucun conteneur {i} en marche sur {n} avec une adresse dans {s}",
            ).format(i=params["image"], n=network.name, s=params["subnet"]),
            expected=t(
                "a running {i} container attached to {n}",
                "un conteneur {i} en marche attaché à {n}",
            ).format(i=params["image"], n=network.name),
            found=on_network,
        )
    chosen = attached[0]
    verdict.evidence(container=chosen.describe(), ip=chosen.networks[network.name].ip)
    verdict.note(
        t("{c} has address {ip} on {n}", "{c} a l'adresse {ip} sur {n}").format(
            c=chosen.describe(), ip=chosen.networks[network.name].ip, n=network.name
        )
    )


@check("container-detached-tty")
def check_container_detached_tty(attached, verdict):
    container = attached[0]  # the best candidate: -itd if any is
    flags = {"tty (-t)": container.tty, "open stdin (-i)": container.open_stdin}
    verdict.evidence(
        container=container.describe(),
        tty=container.tty,
        open_stdin=container.open_stdin,
        status=container.status,
    )
    missing = [name for name, present in flags.items() if not present]
    expect(
        not missing,
        t(
            "it does not run with a TTY and open stdin (-itd)",
            "il ne tourne pas avec un TTY et l'entrée standard ouverte (-itd)",
        ),
        expected="-i -t -d",
        found=t("missing: {m}", "manque : {m}").format(m=", ".join(missing)),
    )
