"""best-practices: mine/node run with limits, no privileges, no root, no sensitive mount, one
process. Where several such containers run, the one with the most passing checks is graded."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from typing import Any, Callable

from grader.kit import (
    DEFAULT_PIDS_LIMIT,
    DOCKER,
    PODMAN,
    TOP_PS_ARGS,
    APIError,
    Container,
    Localized,
    TopReading,
    Undecided,
    check,
    fail,
    fixture,
    list_processes,
    parse_size,
    process_tree,
    read_top,
    render,
    require_host_uids,
    resolve_host_paths,
    resolved_paths,
    run_probe,
    t,
    unreadable_top,
)

# The rubric's list. A mount of one of these, of anything under one (``/root/.ssh``), of a
# folder holding one (``/var``, ``/run``), or of any Docker socket (rootless ones live in
# $XDG_RUNTIME_DIR) is sensitive; so is a path or a volume that leads to one.
SENSITIVE_PATHS = (
    "/",
    "/etc",
    "/var/log",
    "/root",
    "/proc",
    "/sys",
    "/var/run/docker.sock",
    "/run/docker.sock",
)
# Harmless when mounted read-only (the clarified rubric): the container's clock and zone.
HARMLESS_READ_ONLY = ("/etc/localtime", "/etc/timezone")
# What a container holds with no --cap-add (Docker's default set).
DEFAULT_CAPABILITIES = frozenset(
    {
        "CHOWN",
        "DAC_OVERRIDE",
        "FSETID",
        "FOWNER",
        "MKNOD",
        "NET_RAW",
        "SETGID",
        "SETUID",
        "SETFCAP",
        "SETPCAP",
        "NET_BIND_SERVICE",
        "SYS_CHROOT",
        "KILL",
        "AUDIT_WRITE",
    }
)
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
    undecided: dict[str, Localized]  # check id -> why it cannot be decided

    @property
    def passing(self) -> int:
        return sum(rule.passed for rule in self.rules.values())


def _memory(c: Container, processes, params) -> Rule:
    limit, cap = c.host_config.get("Memory") or 0, parse_size(params["max_memory"])
    return Rule(
        0 < limit <= cap,
        t("memory limit", "limite de mémoire"),
        f"0 < --memory <= {params['max_memory']}",
        _bytes(limit) if limit else _NONE,
    )


def _cpu(c: Container, processes, params) -> Rule:
    nano, quota = c.host_config.get("NanoCpus") or 0, c.host_config.get("CpuQuota") or 0
    cpuset = c.host_config.get("CpusetCpus") or ""  # confined to some CPUs: a limit too
    limits = (
        [f"--cpus={nano / 1e9:g}"] * bool(nano)
        + [f"--cpu-quota={quota}"] * (quota > 0)
        + [f"--cpuset-cpus={cpuset}"] * bool(cpuset)
    )
    return Rule(bool(limits), t("CPU limit", "limite de CPU"), "--cpus", limits or _NONE)


def _pids(c: Container, processes, params) -> Rule:
    limit = c.host_config.get("PidsLimit") or 0
    return Rule(
        limit > 0,
        t("PID limit", "limite de PID"),
        "--pids-limit > 0",
        limit if limit > 0 else _NONE,
    )


def _podman_pids(c: Container, processes, params) -> Rule:
    """Podman gives every container run without --pids-limit a limit of 2048: not the
    student's choice, so no limit in the rubric's sense (a --pids-limit=2048 typed on podman
    looks the same through the API, and is told why)."""
    rule = _pids(c, processes, params)
    if (c.host_config.get("PidsLimit") or 0) != DEFAULT_PIDS_LIMIT:
        return rule
    return replace(
        rule,
        passed=False,
        found=t(
            "{n}, podman's default for every container, not a limit set with --pids-limit",
            "{n}, la valeur par défaut de podman pour tout conteneur, pas une limite posée avec "
            "--pids-limit",
        ).format(n=DEFAULT_PIDS_LIMIT),
    )


def _privileges(c: Container, processes, params) -> Rule:
    """Privileged, or holding a capability beyond Docker's default set: ``--cap-drop ALL
    --cap-add NET_BIND_SERVICE`` holds less than the default, and passes."""
    privileged = bool(c.host_config.get("Privileged"))
    added = [
        cap
        for cap in c.host_config.get("CapAdd") or []
        if _capability(cap) not in DEFAULT_CAPABILITIES
    ]
    found = ["--privileged"] * privileged + [f"--cap-add={cap}" for cap in added]
    return Rule(not found, t("extra privileges", "privilèges en plus"), _NONE, found)


def _capability(name: str) -> str:
    """``cap_net_admin`` and ``NET_ADMIN`` name one capability (``ALL`` stays ALL)."""
    upper = name.strip().upper()
    return upper[len("CAP_") :] if upper.startswith("CAP_") else upper


def _non_root(c: Container, processes, params) -> Rule:
    if processes is None:
        return Rule(False, t("processes unreadable", "processus illisibles"), "uid != 0", "?")
    root = [p for p in processes if p["UID"] == "0"]
    return Rule(
        not root,
        t("processes run as root", "des processus tournent en root"),
        t("no process with uid 0", "aucun processus d'uid 0"),
        [f"{p['CMD']} (uid {p['UID']})" for p in root or processes],
    )


def _mounts(c: Container, host_paths: HostPaths) -> Rule:
    sensitive = []
    for mount in c.mounts:
        source = host_paths.source(mount)
        if source is None:
            continue
        if mount.destination.endswith("docker.sock") or _sensitive_mount(source, mount.read_write):
            sensitive.append(source.given)
    return Rule(
        not sensitive,
        t("sensitive host paths mounted", "chemins sensibles de l'hôte montés"),
        _NONE,
        sensitive,
    )


def _single_process(c: Container, processes, params) -> Rule:
    if processes is None:
        return Rule(False, t("processes unreadable", "processus illisibles"), 1, "?")
    counted = _without_init(c, processes)
    return Rule(
        len(counted) == 1,
        t("more than one process", "plus d'un processus"),
        t("1 process", "1 processus"),
        [p["CMD"] for p in counted],
    )


def _without_init(c: Container, processes: list[dict[str, str]]) -> list[dict[str, str]]:
    """With ``--init``, Docker's init is the container's first process and runs the app: it is
    not counted. It is told by its place (the one whose parent is outside the container), not
    by a name the app could take."""
    if not c.host_config.get("Init") or len(processes) < 2:
        return processes
    pids = {p.get("PID") for p in processes}
    roots = [p for p in processes if p.get("PPID") not in pids]
    return [p for p in processes if p is not roots[0]] if len(roots) == 1 else processes


RULES: dict[str, Callable[[Container, Any, dict], Rule]] = {
    "memory-limited": _memory,
    "cpu-limited": _cpu,
    "pids-limited": _pids,
    "not-privileged": _privileges,
    "non-root": _non_root,
    "single-process": _single_process,
}


def _sensitive_mount(source: HostSource, read_write: bool) -> bool:
    """The path as given or where it leads is sensitive, but for the harmless read-only
    files (/etc/localtime, which leads into /usr/share/zoneinfo, is judged as given)."""
    if not read_write and posixpath.normpath(source.given) in HARMLESS_READ_ONLY:
        return False
    return _sensitive(source.given) or _sensitive(source.resolved)


def _sensitive(source: str) -> bool:
    """A listed path, one under a listed path (but for /: not everything), or a folder
    holding one."""
    path = posixpath.normpath(source or "/")
    for listed in SENSITIVE_PATHS:
        if path == listed or listed.startswith(path.rstrip("/") + "/"):
            return True
        if listed != "/" and path.startswith(listed + "/"):
            return True
    return "docker.sock" in posixpath.basename(path)


@dataclass(frozen=True)
class HostSource:
    given: str  # as the engine records it (a bind's source, a volume's device)
    resolved: str  # where it leads on the engine's host, symlinks followed


class HostPaths:
    """The host paths a container's mounts come from: a bind's source, or the device of a
    local volume made with bind options (``--opt type=none --opt o=bind --opt device=/etc``),
    each followed through its symlinks by one probe."""

    def __init__(self, api, probes, containers: list[Container]):
        self.api = api
        self._devices = {
            m.name: self._volume_device(m.name)
            for c in containers
            for m in c.mounts
            if m.type == "volume" and m.name
        }
        given = sorted(
            {
                path
                for c in containers
                for m in c.mounts
                if (path := self._given(m)) and not _sensitive(path)
            }
        )
        self.problem: Localized | None = None
        self._resolved = self._resolve(probes, given) if given else {}

    def source(self, mount) -> HostSource | None:
        given = self._given(mount)
        if given is None:
            return None
        return HostSource(given, self._resolved.get(given, given))

    def _given(self, mount) -> str | None:
        if mount.type == "bind":
            return mount.source
        return self._devices.get(mount.name) if mount.type == "volume" else None

    def _volume_device(self, name: str) -> str | None:
        try:
            volume = self.api.inspect_volume(name)
        except APIError:
            return None
        options = volume.get("Options") or {}
        bound = "bind" in (options.get("o") or "").split(",")
        return options.get("device") if volume.get("Driver") == "local" and bound else None

    def _resolve(self, probes, paths: list[str]) -> dict[str, str]:
        try:
            result = run_probe(probes, resolve_host_paths(tuple(paths)))
            problem = result.stderr.strip() or f"exit {result.exit_code}"
        except Undecided as error:
            result, problem = None, render(error.why, "en")
        resolved = resolved_paths(result) if result and result.exit_code == 0 else {}
        if set(resolved) != set(paths):
            self.problem = t(
                "the mounts' host paths could not be followed: {e}",
                "les chemins des montages n'ont pas pu être suivis : {e}",
            ).format(e=problem)
        return resolved


def _bytes(size: int) -> str:
    return f"{size / 1024**2:g}m"


def _processes(api, probes, container: Container, product: str) -> TopReading:
    """``docker top`` with numeric uids, read from outside the container, never by its own
    ps: Docker runs the engine host's ps on the container's pids; podman reads them itself
    when asked with its own descriptors (see grader.engine.podman). Where the engine cannot
    answer (rootless Docker without cgroups), a probe in the container's pid namespace reads
    them from /proc."""
    ps_args = TOP_PS_ARGS if product == PODMAN else "-o pid,ppid,uid,args"
    try:
        top = api.top(container.id, ps_args=ps_args)
    except APIError as error:
        return _processes_from_proc(probes, container) or TopReading(
            None,
            t("`top` failed: {e}", "`top` a échoué : {e}").format(e=error.explanation or error),
        )
    except ValueError:  # an empty body is no JSON (requests' JSONDecodeError is a ValueError)
        return _processes_from_proc(probes, container) or TopReading(None, unreadable_top(product))
    if product == PODMAN:
        return read_top(top)
    titles = [title.upper() for title in top.get("Titles") or []]
    titles = ["CMD" if title in ("COMMAND", "ARGS") else title for title in titles]
    return TopReading([dict(zip(titles, row)) for row in top.get("Processes") or []])


def _processes_from_proc(probes, container: Container) -> TopReading | None:
    """The processes as a probe in the container's pid namespace reads them; None when that
    probe cannot tell either."""
    result = probes.run(list_processes(container.id))
    tree = process_tree(result.stdout) if result.succeeded else []
    return TopReading(tree) if tree else None


def grade_container(
    api, probes, container: Container, host_paths: HostPaths, params, product: str = DOCKER
) -> Graded:
    top = _processes(api, probes, container, product)
    rules = {check_id: rule(container, top.processes, params) for check_id, rule in RULES.items()}
    if product == PODMAN:
        rules["pids-limited"] = _podman_pids(container, top.processes, params)
    rules["no-sensitive-mounts"] = _mounts(container, host_paths)
    undecided = {"no-sensitive-mounts": host_paths.problem} if host_paths.problem else {}
    if top.problem:
        undecided.update(dict.fromkeys(("non-root", "single-process"), top.problem))
    return Graded(container, top.processes, rules, undecided)


@fixture(scope="module")
def graded(snapshot, probes, params) -> Graded | None:
    """The best running container of the image; None when none runs (every check fails)."""
    running = [c for c in snapshot.running() if snapshot.runs_image(c, params["image"])]
    if not running:
        return None
    host_paths = HostPaths(snapshot.engine.api, probes, running)
    candidates = [
        grade_container(
            snapshot.engine.api, probes, c, host_paths, params, snapshot.engine.host.product
        )
        for c in running
    ]
    return max(candidates, key=lambda g: g.passing)  # the newest among equals: max keeps the first


def _judge(graded: Graded | None, check_id: str, params, verdict) -> None:
    if graded is None:
        fail(
            t("no running {i} container", "aucun conteneur {i} en marche").format(
                i=params["image"]
            ),
            expected=f"docker run -d --memory=256m --cpus=0.5 --pids-limit=100 {params['image']}",
            found=t("nothing to grade", "rien à corriger"),
        )
    rule = graded.rules[check_id]
    verdict.evidence(container=graded.container.describe())
    if check_id in graded.undecided:  # an unreadable `top` included: it says why
        raise Undecided(graded.undecided[check_id])
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
