"""Behavioural verdicts shared by the checks: reachability, proven isolation, HTTP answers.

Every probe runs in the trusted probe image, and proves itself both ways before its answer
counts: a silence counts only once the same probe reached something it should (a gateway,
loopback), and an answer only once it stayed silent towards an address nobody holds.

The address nobody holds is a free one of the target's own bridge subnet: the probe's echo
request ends in a failed ARP on that local bridge, so nothing leaves the machine (a TEST-NET
address would be sent out through the default route).
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, Optional

from docker.errors import NotFound

from grader.engine.container import Container, Endpoint
from grader.i18n import Text, t
from grader.kit.verdicts import CheckFailed, Undecided, fail
from grader.probes import HttpAnswer, Probe, ProbeResult, ProbeRunner, ping
from grader.probes.kinds import HTTP_TIMEOUT_S, STARTING_SERVER_S

TIMED_OUT = 128 + 15  # `timeout` ended the request with SIGTERM

HOST = "host"
LOOPBACK = "127.0.0.1"  # what a probe on the host's network must reach to prove it works


@contextlib.contextmanager
def unchanged_during(api, *containers: Container) -> Iterator[None]:
    """Around a behavioural verdict: when a container it probed was removed, paused,
    restarted or moved to other networks meanwhile, the verdict speaks of a state that is
    gone, and the check is Undecided instead (the others go on)."""
    try:
        yield
    except (CheckFailed, Undecided):  # the change is the better reason
        _expect_unchanged(api, containers)
        raise
    _expect_unchanged(api, containers)


def _expect_unchanged(api, containers: tuple[Container, ...]) -> None:
    for container in containers:
        change = _change(api, container)
        if change is not None:
            raise Undecided(
                t(
                    "{c} changed while it was graded ({w}): grade again",
                    "{c} a changé pendant la correction ({w}) : relancez-la",
                ).format(c=container.describe(), w=change)
            )


def _change(api, container: Container) -> str | None:
    try:
        now = Container.from_inspect(api.inspect_container(container.id))
    except NotFound:
        return "removed"
    if now.status != container.status:
        return now.status
    if now.started_at != container.started_at:
        return "restarted"
    if {n: e.ip for n, e in now.networks.items()} != {
        n: e.ip for n, e in container.networks.items()
    }:
        return "networks changed"
    return None


def netns_of(container: Container) -> str:
    return f"container:{container.id}"


def run_probe(probes: ProbeRunner, probe) -> ProbeResult:
    """The probe's result, or Undecided when it could not run at all."""
    result = probes.run(probe)
    if result.problem:
        raise Undecided(
            t("the probe could not run: {p}", "la sonde n'a pas pu s'exécuter : {p}").format(
                p=result.problem
            )
        )
    return result


def answers_ping(probes: ProbeRunner, ip: str, *, netns: str) -> bool:
    return run_probe(probes, ping(ip, netns=netns)).succeeded


def unused_address(endpoint: Endpoint, taken: Iterable[str]) -> str | None:
    """The highest address of ``endpoint``'s subnet that neither a container (``taken``: every
    address the snapshot shows) nor the gateway holds; None when none is free.

    >>> unused_address(Endpoint("mybridge", "", "192.168.0.2", 24, "192.168.0.1"), ["192.168.0.2"])
    '192.168.0.254'
    """
    if not endpoint.ip or not endpoint.prefix_length:
        return None
    subnet = ipaddress.ip_interface(f"{endpoint.ip}/{endpoint.prefix_length}").network
    held = {*taken, endpoint.ip, endpoint.gateway}
    for below_broadcast in range(1, min(256, subnet.num_addresses - 1)):
        candidate = str(subnet.broadcast_address - below_broadcast)
        if candidate not in held:
            return candidate
    return None


def taken_addresses(containers: Iterable[Container]) -> list[str]:
    return [e.ip for c in containers for e in c.networks.values() if e.ip]


@dataclass(frozen=True)
class Reach:
    """A ping that must get through: from ``netns``, ``target_ip`` answers.

    ``control_ip`` is what the probe must reach for a silence to count (a gateway, loopback);
    ``silent_ip``, held by nobody, must not answer for an answer to count. ``source`` and
    ``target`` name both ends in the messages.
    """

    target_ip: str
    control_ip: str
    silent_ip: Optional[str]
    netns: str
    source: Text
    target: Text

    def probes(self) -> list[Probe]:
        return [
            ping(ip, netns=self.netns)
            for ip in (self.target_ip, self.control_ip, self.silent_ip)
            if ip
        ]


def expect_reaches(probes: ProbeRunner, reach: Reach) -> None:
    """Passes when ``reach.target_ip`` answers while ``reach.silent_ip`` does not; a silence
    fails only if the same probe reaches ``reach.control_ip`` (it works); Undecided
    otherwise."""
    for probe in reach.probes():
        probes.submit(probe)
    netns, target_ip, control_ip = reach.netns, reach.target_ip, reach.control_ip
    if answers_ping(probes, target_ip, netns=netns):
        _expect_silence_where_nobody_is(probes, reach.silent_ip, netns)
        return
    _require_control(control_ip, reach.source)
    if not answers_ping(probes, control_ip, netns=netns):
        raise Undecided(
            t(
                "from {s}, the probe reached neither {a} ({ip}) nor {c}: it cannot tell",
                "depuis {s}, la sonde n'atteint ni {a} ({ip}) ni {c} : impossible de conclure",
            ).format(s=reach.source, a=reach.target, ip=target_ip, c=control_ip)
        )
    fail(
        t("{s} cannot ping {a}", "{s} ne peut pas pinguer {a}").format(
            s=reach.source, a=reach.target
        ),
        expected=t("an echo reply from {ip}", "une réponse d'écho de {ip}").format(ip=target_ip),
        found=t("no reply (while {c} answers)", "aucune réponse (alors que {c} répond)").format(
            c=control_ip
        ),
    )


def _require_control(control_ip: str, source) -> None:
    """A silence proves something only next to an answer: without an address that the source
    must reach (its network gives it no gateway), the grader cannot tell."""
    if not control_ip:
        raise Undecided(
            t(
                "{s}'s network names no gateway, so nothing shows that a probe from {s} "
                "works: a silence proves nothing",
                "le réseau de {s} n'indique aucune passerelle : rien ne montre qu'une sonde "
                "depuis {s} fonctionne, un silence ne prouve rien",
            ).format(s=source)
        )


def _expect_silence_where_nobody_is(probes: ProbeRunner, silent_ip: str | None, netns: str) -> None:
    """An answer counts only from a probe that does not answer for an address nobody holds."""
    if silent_ip is None:
        raise Undecided(
            t(
                "no free address on the network to prove the probe's answers with",
                "aucune adresse libre sur le réseau pour éprouver les réponses de la sonde",
            )
        )
    if answers_ping(probes, silent_ip, netns=netns):
        raise Undecided(
            t(
                "the probe image answers pings it cannot receive ({ip} is held by "
                "nobody): is the probe image genuine? (--probe-image)",
                "l'image de sonde répond à des pings qu'elle ne peut pas recevoir "
                "({ip} n'appartient à personne) : est-elle authentique ? "
                "(--probe-image)",
            ).format(ip=silent_ip)
        )


@dataclass(frozen=True)
class Isolation:
    """Pings that must not get through: from ``netns``, none of ``target_ips`` answers, while
    ``control_ip`` (a peer the source must reach, such as its gateway) does; an answer counts
    only from a probe that stays silent towards ``silent_ip``, held by nobody."""

    target_ips: tuple[str, ...]
    control_ip: str
    silent_ip: Optional[str]
    netns: str
    source: Text
    target: Text

    def probes(self) -> list[Probe]:
        return [
            ping(ip, netns=self.netns)
            for ip in (self.control_ip, *self.target_ips, self.silent_ip)
            if ip
        ]


def expect_isolated(probes: ProbeRunner, isolation: Isolation) -> None:
    """Passes when no target answers while the control does; fails when a target answers
    (from a probe proven honest); Undecided when a control says the probe lies, or there is no
    target address to try."""
    source, target, netns = isolation.source, isolation.target, isolation.netns
    if not isolation.target_ips:
        raise Undecided(
            t("{a} has no address to try", "{a} n'a aucune adresse à essayer").format(a=target)
        )
    _require_control(isolation.control_ip, source)
    for probe in isolation.probes():
        probes.submit(probe)  # all at once: a silence costs the ping timeout only once
    if not answers_ping(probes, isolation.control_ip, netns=netns):
        raise Undecided(
            t(
                "from {s}, the probe could not reach {c} either, so the silence of {a} proves "
                "nothing about isolation",
                "depuis {s}, la sonde n'atteint pas non plus {c} : le silence de {a} ne prouve "
                "donc pas l'isolation",
            ).format(s=source, c=isolation.control_ip, a=target)
        )
    answered = [ip for ip in isolation.target_ips if answers_ping(probes, ip, netns=netns)]
    if answered:
        _expect_silence_where_nobody_is(probes, isolation.silent_ip, netns)
        fail(
            t("{s} can reach {a}", "{s} peut joindre {a}").format(s=source, a=target),
            expected=t("no answer from {ips}", "aucune réponse de {ips}").format(
                ips=", ".join(isolation.target_ips)
            ),
            found=t("an answer from {ips}", "une réponse de {ips}").format(ips=", ".join(answered)),
        )


def startup_wait_s(snapshot, container) -> float:
    """How much of STARTING_SERVER_S ``container`` still had to run when the snapshot was
    taken: the time a server (or its first log line) is given to come; 0 once it has run that
    long, or never ran."""
    if container.started_at == datetime.min:  # never started
        return 0.0
    age = (snapshot.taken_at - container.started_at).total_seconds()
    return min(float(STARTING_SERVER_S), max(0.0, STARTING_SERVER_S - age))


def startup_deadline(snapshot, container) -> int:
    """Until when (seconds since the epoch, by the engine's clock) an ``http_get`` about
    ``container`` tries again a server that does not answer yet: STARTING_SERVER_S after the
    container started; 0 (no second try) when the snapshot finds it running for longer. The
    deadline is fixed by the state, not by when grading began, so the same state gets the
    same verdict under any load."""
    wait = startup_wait_s(snapshot, container)
    return math.ceil(snapshot.taken_at.timestamp() + wait) if wait else 0


def http_found(answer: HttpAnswer):
    """What a check shows as found: the status, or no answer, with how long the probe waited
    for a server that was just starting."""
    if answer.status is not None:
        return answer.status
    if answer.waited_s:
        return t(
            "no answer, after waiting {w} s for a container that had just started",
            "aucune réponse, après {w} s d'attente d'un conteneur qui venait de démarrer",
        ).format(w=answer.waited_s)
    return t("no answer", "aucune réponse")


def note_http_wait(verdict, answer: HttpAnswer) -> None:
    """Says, beside the verdict, that the server answered only after the probe waited for it."""
    if answer.waited_s and answer.status is not None:
        verdict.note(
            t(
                "it answered after {w} s: its container had just started",
                "il a répondu après {w} s : son conteneur venait de démarrer",
            ).format(w=answer.waited_s)
        )


def http_answer(probes: ProbeRunner, request: Probe) -> HttpAnswer:
    """The answer to an ``http_get`` probe; Undecided when the probe cannot fetch, or when the
    server accepted the connection and said nothing within the time limit."""
    url = request.command[-1]
    result = run_probe(probes, request)
    if result.exit_code in (126, 127):  # the probe image has no timeout or wget
        raise Undecided(
            t(
                "the probe image cannot fetch a page: {e}",
                "l'image de sonde ne sait pas récupérer une page : {e}",
            ).format(e=result.stderr.strip() or result.stdout.strip())
        )
    if result.exit_code == TIMED_OUT:  # connected, then no answer: not a refusal
        raise Undecided(
            t(
                "{u} accepted the connection but gave no answer within {n} s (an "
                "app still starting?): grade again once it answers",
                "{u} a accepté la connexion sans répondre en {n} s (une application "
                "qui démarre ?) : relancez la correction quand elle répond",
            ).format(u=url, n=HTTP_TIMEOUT_S)
        )
    return HttpAnswer.read(result)
