"""One probe container for a whole grading, which enters each namespace a probe needs.

Starting a container is what a grading spends most on: on 2 cores, seven probe containers
started at once stretch each other. The resident container starts once, in the engine host's
pid and network namespaces, and the probes planned together then run in it side by side, in
one exec:

- a probe about a student container's network (``netns="container:<id>"``) enters it with
  ``nsenter``, through the container's pid as the engine reports it;
- a probe that reads a container's files (``pid="container:<id>"``) reads them through
  ``/proc/<pid>/root``: its script is given the pid in VIEWED_PID;
- ``netns="host"``, ``pid="host"``, the scratch tmpfs and the engine host's root (read-only)
  are the resident container's own.

A probe it cannot run (another mount, one that must live in the container's pid namespace) and
any engine where it does not work (no nsenter in the probe image, a refused setting, a security
module forbidding the entry) go the way they always did: a container per probe, or per group.
An entry proves itself before the probe runs: when it fails, nothing is concluded from it.

>>> can_run(ping("10.0.0.2", netns="container:5e1f"))
True
>>> can_run(write_attempt_in_copy("/srv", "/data", read_only=True))   # a mount of its own
False
"""

from __future__ import annotations

import shlex
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

import requests
from docker.errors import APIError, DockerException, NotFound

from grader.probes.kinds import (
    _RESOLVE,
    HOST_ROOT,
    MOUNTED_FOLDER,
    SCRATCH,
    VIEWED_PID,
    Probe,
    ProbeResult,
    ping,  # noqa: F401  (the doctest)
    write_attempt_in_copy,  # noqa: F401  (the doctest)
)

# The container ends on its own past any grading's length (even when the grader is killed
# outright); the next grader removes what is left (ProbeRunner.remove_stale).
LIFETIME_S = 600
ENTRY_FAILED = 125
ENTRY_FAILED_MARK = "PROBE-BROKEN: entry"
USUAL_WAY_MARK = "PROBE-BROKEN: the usual way"  # for this probe alone
_TIMED_OUT = 137  # `timeout -s KILL` ended the probe
_CONTENTS = b"--- docker-grade: the files' contents"  # after wc's sizes, before the files
_HOST_ROOT_BIND = ("/", HOST_ROOT, True)
# $0: the pid whose network namespace to enter; then the probe's command. The namespace is
# held open (fd 3) from the proof to the run, so that it cannot change in between.
_ENTER = (
    'command exec 3<"/proc/$0/ns/net" && nsenter --net=/proc/self/fd/3 true || '
    f'{{ echo "{ENTRY_FAILED_MARK}: no way into the network of pid $0" >&2; '
    f"exit {ENTRY_FAILED}; }}; "
    'exec nsenter --net=/proc/self/fd/3 -- "$@"'
)
# $0: a folder of the engine's host that the probe would mount read-only, $1: RESOLVE (kinds);
# then the probe's command. The folder is found below the host's root (mounted at HOST_ROOT),
# its symlinks followed against it as the engine would; one that is not there goes the usual
# way, where the engine refuses it as it always did.
_IN_FOLDER = (
    'r=$(sh -c "$1" sh "$0" | cut -f2-) && [ -n "$r" ] && '
    f'[ -d "{HOST_ROOT}$r" ] || '
    f'{{ echo "{USUAL_WAY_MARK}: no folder $0" >&2; exit {ENTRY_FAILED}; }}; '
    f'shift; export {MOUNTED_FOLDER}="{HOST_ROOT}$r"; exec "$@"'
)
# The resident container holds capabilities no single probe needs (SYS_ADMIN to enter): a probe
# that needs none (wget, reading what a student's server answers) runs as nobody, without any.
# $0: a placeholder; then the probe's command.
_AS_NOBODY = (
    "su -s /bin/sh nobody -c true </dev/null || "
    f'{{ echo "{ENTRY_FAILED_MARK}: no way to run as nobody" >&2; exit {ENTRY_FAILED}; }}; '
    'exec su -s /bin/sh nobody -c \'exec "$@"\' -- sh "$@"'
)


# $0: the probe's program, then its arguments. A container runs the program its PATH finds on
# disk; busybox's own commands (nsenter, su, timeout) would run their built-in one of the same
# name instead: the resident runs the same file a container would (a probe image whose ping is
# replaced runs that ping, which the checks then prove both ways). A program not there goes
# the usual way, where the engine refuses it as it always did.
_AS_ITS_CONTAINER = (
    'p=$(which "$0") || '
    f'{{ echo "{USUAL_WAY_MARK}: no $0 in the probe image" >&2; exit {ENTRY_FAILED}; }}; '
    'exec "$p" "$@"'
)


def can_run(probe: Probe) -> bool:
    """Whether the resident container can run ``probe`` the way its own container would."""
    return (
        probe.enterable
        and probe.tmpfs in (None, SCRATCH)
        and (probe.bind is None or probe.bind[1:] == (HOST_ROOT, True))
        and (probe.netns in ("none", "host") or _about(probe.netns) is not None)
        and (probe.pid in (None, "host") or _about(probe.pid) is not None)
    )


def _about(setting: Optional[str]) -> Optional[str]:
    """The container id of a ``container:<id>`` setting."""
    if setting and setting.startswith("container:"):
        return setting.removeprefix("container:")
    return None


@dataclass(frozen=True)
class Entry:
    """How one probe runs in the resident container: its command line, and the (container id,
    pid) pairs it entered or viewed."""

    command: list[str]
    watched: tuple[tuple[str, int], ...]


class ResidentContainer:
    """The resident probe container of one ProbeRunner; made at the first ``start``.

    ``create`` makes and starts a labelled container from a probe's settings (the
    ProbeRunner's way, so that labels and user namespace match its other probes). ``run_all``
    gives no result for a probe that must go the usual way.
    """

    def __init__(self, api, create: Callable[[Probe], str]):
        self.api = api
        self._create = create
        self._lock = threading.Lock()
        self._container_id: Optional[str] = None
        self._failed = False
        self._pids: dict[str, Optional[int]] = {}

    def start(self) -> Optional[str]:
        """The container's id, made and started on the first call; None if the engine would
        not have it, or once an entry failed (every probe then goes the usual way)."""
        with self._lock:
            if self._container_id is None and not self._failed:
                self._container_id = self._started()
                self._failed = self._container_id is None
            return None if self._failed else self._container_id

    def retire(self) -> Optional[str]:
        """Takes no more probes (they go the usual way); the container's id, to end it."""
        with self._lock:
            self._failed = True
            return self._container_id

    @property
    def container_id(self) -> Optional[str]:
        """The container's id once made (also after an entry failed: it is still removed)."""
        return self._container_id

    def _started(self) -> Optional[str]:
        settings = Probe(
            command=("sleep", str(LIFETIME_S)),
            netns="host",
            pid="host",
            tmpfs=SCRATCH,
            bind=_HOST_ROOT_BIND,
            # NET_RAW: ping; SYS_ADMIN: setns; SYS_PTRACE: a container's namespaces and root
            capabilities=("NET_RAW", "SYS_ADMIN", "SYS_PTRACE"),
        )
        try:
            return self._create(settings)
        except (DockerException, requests.RequestException):
            return None

    def run_all(self, probes: list[Probe]) -> dict[Probe, ProbeResult]:
        """The results of ``probes``, run side by side in one exec; a probe missing from the
        answer must run the usual way (no resident container, a container that is not running
        or changed under it, an entry that failed)."""
        container_id = self.start()
        entries = {probe: self._entry(probe) for probe in probes} if container_id else {}
        entries = {probe: entry for probe, entry in entries.items() if entry}
        if not entries:
            return {}
        started = time.monotonic()
        try:
            outputs = self._exec(container_id, list(entries.values()))
        except (DockerException, requests.RequestException, OSError):
            with self._lock:  # a transport that cannot carry an exec's stream: not again
                self._failed = True
            return {}
        duration = time.monotonic() - started
        results, running = {}, {}  # each container a probe entered is inspected once
        for n, (probe, entry) in enumerate(entries.items()):
            result = self._result(probe, entry, outputs.get(n, {}), duration, running)
            if result is not None:
                results[probe] = result
        return results

    def _result(
        self,
        probe: Probe,
        entry: Entry,
        output: dict[str, bytes],
        duration: float,
        running: dict[tuple[str, int], bool],
    ) -> Optional[ProbeResult]:
        code = output.get("rc", b"").strip()
        stdout, stderr = (
            output.get(name, b"").decode("utf-8", "replace") for name in ("out", "err")
        )
        if not code.isdigit():
            return None
        exit_code = int(code)
        if exit_code == ENTRY_FAILED and USUAL_WAY_MARK in stderr:
            return None
        if exit_code == ENTRY_FAILED and ENTRY_FAILED_MARK in stderr:
            with self._lock:
                self._failed = True  # this engine forbids it: the usual way from now on
            return None
        if exit_code == _TIMED_OUT:
            problem = f"no answer within {probe.timeout_s:.0f} s"
            return ProbeResult(probe, None, stdout, stderr, duration, problem=problem)
        if exit_code != 0 and not self._unchanged(entry, running):
            return None  # the container stopped or restarted under the probe: ask again
        return ProbeResult(probe, exit_code, stdout, stderr, duration)

    def _exec(self, container_id: str, entries: list[Entry]) -> dict[int, dict[str, bytes]]:
        """Runs the entries side by side; each one's rc, out and err, by its index."""
        jobs = [
            f"( {shlex.join(entry.command)} >$d/{n}.out 2>$d/{n}.err; echo $? >$d/{n}.rc ) &"
            for n, entry in enumerate(entries)
        ]
        # the files' sizes (one wc), then their contents (one cat): the outputs may hold
        # anything, and two processes cost less than a frame each
        files = " ".join(_files(len(entries)))
        script = "\n".join(
            [
                f"d=$(mktemp -d {SCRATCH}/results.XXXXXX) || exit 3",
                *jobs,
                "wait",
                f'cd "$d" && wc -c {files}; echo "{_CONTENTS.decode()}"; cat {files}',
                'cd / && rm -rf "$d"',
            ]
        )
        exec_id = self.api.exec_create(container_id, ["sh", "-c", script])["Id"]
        stdout, _ = self.api.exec_start(exec_id, demux=True)
        return _outputs(stdout or b"", len(entries))

    def _entry(self, probe: Probe) -> Optional[Entry]:
        if not can_run(probe):
            return None
        command = ["timeout", "-s", "KILL", str(int(probe.timeout_s + 0.999))]
        watched = []
        viewed = _about(probe.pid)
        if viewed:
            pid = self._pid(viewed)
            if pid is None:
                return None
            command += ["env", f"{VIEWED_PID}={pid}"]
            watched.append((viewed, pid))
        network = _about(probe.netns)
        if network:
            pid = self._pid(network)
            if pid is None:
                return None
            command += ["sh", "-c", _ENTER, str(pid)]
            watched.append((network, pid))
        if probe.bind and probe.bind[0] != "/":  # a folder of its own: found below the root
            command += ["sh", "-c", _IN_FOLDER, probe.bind[0], _RESOLVE]
        if not (probe.capabilities or viewed or probe.bind):
            command += ["sh", "-c", _AS_NOBODY, "sh"]
        command += ["sh", "-c", _AS_ITS_CONTAINER]
        return Entry([*command, *probe.command], tuple(watched))

    def _pid(self, container_id: str) -> Optional[int]:
        """The pid of a running container's first process, as the engine host sees it."""
        with self._lock:
            known = container_id in self._pids
        if not known:
            pid = self._inspected_pid(container_id)
            with self._lock:
                self._pids.setdefault(container_id, pid)
        return self._pids[container_id]

    def _inspected_pid(self, container_id: str) -> Optional[int]:
        try:
            state = self.api.inspect_container(container_id)["State"]
        except (NotFound, APIError, requests.RequestException):
            return None
        pid = state.get("Pid") or 0
        return pid if state.get("Running") and pid > 0 else None

    def _unchanged(self, entry: Entry, running: dict[tuple[str, int], bool]) -> bool:
        """Whether every container the probe entered still runs as the same process (asked
        of the engine once per container in ``running``)."""
        for cid, pid in entry.watched:
            if (cid, pid) not in running:
                running[cid, pid] = self._inspected_pid(cid) == pid
        return all(running[pair] for pair in entry.watched)


def _files(count: int) -> list[str]:
    return [f"{n}.{name}" for n in range(count) for name in ("rc", "out", "err")]


def _outputs(raw: bytes, count: int) -> dict[int, dict[str, bytes]]:
    """Each probe's files (rc, out, err) by its index, from wc's sizes and cat's contents.

    >>> _outputs(b" 2 0.rc\\n 3 0.out\\n 0 0.err\\n 5 total\\n" + _CONTENTS + b"\\n0\\nab\\n", 1)
    {0: {'rc': b'0\\n', 'out': b'ab\\n', 'err': b''}}
    """
    sizes_part, found_mark, contents = raw.partition(_CONTENTS + b"\n")
    if not found_mark:
        return {}
    sizes = {}
    for line in sizes_part.splitlines():
        words = line.split()
        if len(words) == 2 and words[0].isdigit():
            sizes[words[1].decode()] = int(words[0])
    outputs: dict[int, dict[str, bytes]] = {}
    at = 0
    for name in _files(count):
        if name not in sizes:  # cat skipped it too: what follows cannot be placed
            break
        n, kind = name.split(".")
        outputs.setdefault(int(n), {})[kind] = contents[at : at + sizes[name]]
        at += sizes[name]
    return outputs
