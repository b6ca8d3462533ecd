"""best-practices: mine/node run with limits, no privileges, no root, no sensitive mount, one
process. Where several such containers run, the one with the most passing checks is graded."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from docker.errors import APIError

from grader.checking import Undecided, check, fail, require_host_uids, t
from grader.engine.container import Container
from grader.i18n import Localized
from grader.spec.params import parse_size

# The rubric's list. A mount of one of these, or of a folder holding one (``/var``, ``/run``),
# or of any Docker socket (rootless ones live in $XDG_RUNTIME_DIR) is sensitive.
SENSITIVE_PATHS = ("/", "/etc", "/var/log", "/root", "/proc", "/sys", "/var/run/docker.sock",
                   "/run/docker.sock")
_NONE = t("none", "aucune")


@dataclass(frozen=True)
class Rule:
    """One check's verdict on one container: passed, or what was expected and found."""

    passed: bool
    what: Localized
    expected: Any
    found: Any


@dataclass(frozen=True)
class Graded:
    container: Container
    processes: list[dict[str, str]] | None  # None: `top` could not be read
    rules: dict[str, Rule]

    @property
    def passing(self) -> int:
        return sum(rule.passed for rule in self.rules.values())


def _memory(c: Container, processes, params) -> Rule:
    limit, cap = c.host_config.get("Memory") or 0, parse_size(params["max_memory"])
    return Rule(0 < limit <= cap, t("memory limit", "limite de mémoire"),
                f"0 < --memory <= {params['max_memory']}", _bytes(limit) if limit else _NONE)


def _cpu(c: Container, processes, params) -> Rule:
    nano, quota = c.host_config.get("NanoCpus") or 0, c.host_config.get("CpuQuota") or 0
    found = f"--cpus={nano / 1e9:g}" if nano else f"--cpu-quota={quota}" if quota > 0 else _NONE
    return Rule(nano > 0 or quota > 0, t("CPU limit", "limite de CPU"), "--cpus", found)


def _pids(c: Container, processes, params) -> Rule:
    limit = c.host_config.get("PidsLimit") or 0
    return Rule(limit > 0, t("PID limit", "limite de PID"), "--pids-limit > 0",
                limit if limit > 0 else _NONE)


def _privileges(c: Container, processes, params) -> Rule:
    privileged, added = bool(c.host_config.get("Privileged")), c.host_config.get("CapAdd") or []
    found = ["--privileged"] * privileged + [f"--cap-add={cap}" for cap in added]
    return Rule(not found, t("extra privileges", "privilèges en plus"), _NONE, found)


def _non_root(c: Container, processes, params) -> Rule:
    if processes is None:
        return Rule(False, t("processes unreadable", "processus illisibles"), "uid != 0", "?")
    root = [p for p in processes if p["UID"] == "0"]
    return Rule(not root, t("processes run as root", "des processus tournent en root"),
                t("no process with uid 0", "aucun processus d'uid 0"),
                [f"{p['CMD']} (uid {p['UID']})" for p in root or processes])


def _mounts(c: Container, processes, params) -> Rule:
    sensitive = [m.source for m in c.mounts if m.type == "bind"
                 and (_sensitive(m.source) or _sensitive(m.destination) and "docker.sock" in m.destination)]
    return Rule(not sensitive, t("sensitive host paths mounted", "chemins sensibles de l'hôte montés"),
                _NONE, sensitive)


def _single_process(c: Container, processes, params) -> Rule:
    if processes is None:
        return Rule(False, t("processes unreadable", "processus illisibles"), 1, "?")
    return Rule(len(processes) == 1, t("more than one process", "plus d'un processus"),
                t("1 process", "1 processus"), [p["CMD"] for p in processes])


RULES: dict[str, Callable[[Container, Any, dict], Rule]] = {
    "memory-limited": _memory, "cpu-limited": _cpu, "pids-limited": _pids,
    "not-privileged": _privileges, "non-root": _non_root, "no-sensitive-mounts": _mounts,
    "single-process": _single_process,
}


def _sensitive(source: str) -> bool:
    path = posixpath.normpath(source or "/")
    holds = [p for p in SENSITIVE_PATHS if p == path or p.startswith(path.rstrip("/") + "/")]
    return bool(holds) or "docker.sock" in posixpath.basename(path)


def _bytes(size: int) -> str:
    return f"{size / 1024 ** 2:g}m"


def _processes(api, container: Container) -> list[dict[str, str]] | None:
    """``docker top`` with numeric uids (the engine host's ps reads the container's pids)."""
    try:
        top = api.top(container.id, ps_args="-o pid,uid,args")
    except APIError:
        return None
    titles = [title.upper() for title in top.get("Titles") or []]
    titles = ["CMD" if title in ("COMMAND", "ARGS") else title for title in titles]
    return [dict(zip(titles, row)) for row in top.get("Processes") or []]


def grade_container(api, container: Container, params) -> Graded:
    processes = _processes(api, container)
    rules = {check_id: rule(container, processes, params) for check_id, rule in RULES.items()}
    return Graded(container, processes, rules)


@pytest.fixture(scope="module")
def graded(snapshot, params) -> Graded | None:
    """The best running container of the image; None when none runs (every check fails)."""
    running = [c for c in snapshot.running() if snapshot.runs_image(c, params["image"])]
    if not running:
        return None
    candidates = [grade_container(snapshot.engine.api, c, params) for c in running]
    return max(candidates, key=lambda g: g.passing)  # the newest among equals: max keeps the first


def _judge(graded: Graded | None, check_id: str, params, verdict) -> None:
    if graded is None:
        fail(t("no running {i} container", "aucun conteneur {i} en marche").format(i=params["image"]),
             expected=f"docker run -d --memory=256m --cpus=0.5 --pids-limit=100 {params['image']}",
             found=t("nothing to grade", "rien à corriger"))
    rule = graded.rules[check_id]
    verdict.evidence(container=graded.container.describe())
    if check_id in ("non-root", "single-process") and graded.processes is None:
        raise Undecided(t("docker top could not list the container's processes",
                          "docker top n'a pas pu lister les processus du conteneur"))
    if not rule.passed:
        fail(rule.what, expected=rule.expected, found=rule.found)
    verdict.note(t("{c}: {f}", "{c} : {f}").format(c=graded.container.describe(), f=rule.found))


@check("memory-limited")
def check_memory_limited(graded, params, verdict):
    _judge(graded, "memory-limited", params, verdict)


@check("cpu-limited")
def check_cpu_limited(graded, params, verdict):
    _judge(graded, "cpu-limited", params, verdict)


@check("pids-limited")
def check_pids_limited(graded, params, verdict):
    _judge(graded, "pids-limited", params, verdict)


@check("not-privileged")
def check_not_privileged(graded, params, verdict):
    _judge(graded, "not-privileged", params, verdict)


@check("non-root")
def check_non_root(graded, snapshot, params, verdict):
    require_host_uids(snapshot)  # `docker top` shows host uids: remapped root looks harmless
    _judge(graded, "non-root", params, verdict)


@check("no-sensitive-mounts")
def check_no_sensitive_mounts(graded, params, verdict):
    _judge(graded, "no-sensitive-mounts", params, verdict)


@check("single-process")
def check_single_process(graded, params, verdict):
    _judge(graded, "single-process", params, verdict)
