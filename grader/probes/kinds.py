"""What a probe runs, and how its output reads.

>>> ping("192.168.0.2", netns="host").command
('ping', '-c', '2', '-i', '0.2', '-W', '1', '192.168.0.2')
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Optional

PING_WAIT_S = 1  # a local bridge answers in well under a millisecond
HTTP_TIMEOUT_S = 5
_STATUS_LINE = re.compile(r"HTTP/\d(?:\.\d)?\s+(\d{3})")
WRITE_PROBE_NAME = ".docker-grade-write-probe"
SCRATCH = "/.docker-grade-scratch"
# A server whose container started this recently may not listen yet: its HTTP probe tries
# again until the container has run this long (see kit.startup_deadline), and no longer.
STARTING_SERVER_S = 10
WAITED_MARK = "docker-grade-waited:"  # how many seconds an http_get waited for a server
_WAITED = re.compile(rf"^{WAITED_MARK} (\d+)$", re.M)


@dataclass(frozen=True)
class Probe:
    """A command for a throwaway container; equal probes run once per run."""

    command: tuple[str, ...]
    netns: str = "none"  # "host", "none" or "container:<id>"
    tmpfs: Optional[str] = None  # a private scratch folder, never one of the student's mounts
    timeout_s: float = 10.0
    # "host": busybox ping takes its pid as ICMP id, pid 1 in every probe container, so two
    # pings sharing a network namespace would read each other's replies; host pids are unique.
    # "container:<id>": the probe sees that container's processes, and through /proc/1/root
    # its files as its own mounts show them, without mounting anything again.
    pid: Optional[str] = None
    # (host source, target, read-only): the probe mounts a folder itself, the way `--mount`
    # does, which refuses a source missing on the host rather than creating it.
    bind: Optional[tuple[str, str, bool]] = None
    # What it asks for beyond the engine's defaults, which differ: podman as distributions ship
    # it leaves NET_RAW out (ping needs it), so a probe names what it needs on every engine.
    capabilities: tuple[str, ...] = ()
    # False: it reads its own pid namespace's /proc, so it must live in the container's pid
    # namespace; the resident container (grader.probes.resident) reads files through
    # /proc/<pid>/root instead, and cannot run it.
    enterable: bool = True


@dataclass(frozen=True)
class ImageFile:
    """A file of an image itself, as it was built (what a bind mount hides in its running
    containers): a plan may hold one, and it is read beside the probes, from a container made
    from the image and never started."""

    image: str
    path: str


@dataclass(frozen=True)
class ProbeResult:
    probe: Probe
    exit_code: Optional[int]  # None: it did not run to the end
    stdout: str
    stderr: str
    duration_s: float
    image_id: str = ""
    problem: Optional[str] = None  # why the probe could not run, when it could not

    @property
    def succeeded(self) -> bool:
        return self.problem is None and self.exit_code == 0


def ping(ip: str, *, netns: str) -> Probe:
    """Two echo requests 0.2 s apart, a second for an answer: passes on any reply."""
    command = ("ping", "-c", "2", "-i", "0.2", "-W", str(PING_WAIT_S), ip)
    return Probe(
        command=command,
        netns=netns,
        timeout_s=PING_WAIT_S + 8,
        pid="host",
        capabilities=("NET_RAW",),  # busybox ping sends from a raw socket
    )


def http_get(url: str, *, netns: str, retry_until: int = 0) -> Probe:
    """GET ``url``, bounded by HTTP_TIMEOUT_S (exit 143 when the time ran out). While nothing
    answers at all (refused, reset: a server not listening yet), it tries again every half
    second until ``retry_until``, in seconds since the epoch by the clock of the engine's host,
    which the probe shares (0: no second try). An HTTP answer of any status, or a server that
    accepted and stays silent, ends it at once. The URL is the command's last word.

    busybox's own `wget -T` crashes in some static builds: `timeout` bounds it instead. Never
    as the container's pid 1: busybox's timeout execs the command in its own place, and a
    pid 1 ignores the SIGTERM meant to end it; the shell stays pid 1 (it has more to run).

    >>> http_get("http://127.0.0.1:8181/", netns="host", retry_until=1795000000).command[3:]
    ('5', '1795000000', 'http://127.0.0.1:8181/')
    """
    command = ("sh", "-c", _HTTP_GET, str(HTTP_TIMEOUT_S), str(retry_until), url)
    # the last try may begin just before retry_until, after at most STARTING_SERVER_S of them
    patience = STARTING_SERVER_S + 1 if retry_until else 0
    return Probe(command=command, netns=netns, timeout_s=HTTP_TIMEOUT_S + 8 + patience)


# $0: the time limit of one request, $1: until when to try again, $2: the URL. The body goes
# to stdout as it comes; wget's headers are kept to tell an HTTP answer from none at all. Exit
# codes from 126 up (no wget, no timeout; 143: accepted, then silent) are final.
_HTTP_GET = (
    "s=$(date +%s); n=0; while :; do "
    '{ e=$(timeout "$0" wget -S -q -O - "$2" 2>&1 >&3); rc=$?; } 3>&1; '
    'case "$e" in *HTTP/*) break;; esac; '
    'if [ $rc -eq 0 ] || [ $rc -ge 126 ] || [ "$(date +%s)" -ge "$1" ]; then break; fi; '
    "n=$((n+1)); sleep 0.5 2>/dev/null || sleep 1; "
    "done; "
    'printf "%s\\n" "$e" >&2; '
    f'[ $n -eq 0 ] || echo "{WAITED_MARK} $(($(date +%s) - s))" >&2; '
    "exit $rc"
)


# The pid of the container's first process in the probe's view: 1 in a probe that shares the
# container's pid namespace, the engine host's pid in the resident probe container (which sets
# this variable).
VIEWED_PID = "DOCKER_GRADE_VIEWED_PID"
_VIEWED_ROOT = f"/proc/${{{VIEWED_PID}:-1}}/root"
# Inside a probe that sees a container's processes, that container's root folder. Its absolute
# symlinks are resolved against it by hand: the kernel would resolve them against the probe's
# own root.
_IN_CONTAINER = (
    f'root={_VIEWED_ROOT}; f="$root$1"; hops=0; '
    'while [ -L "$f" ] && [ $hops -lt 16 ]; do t=$(readlink "$f"); hops=$((hops+1)); '
    'case "$t" in /*) f="$root$t";; *) f="$(dirname "$f")/$t";; esac; done; '
)


def write_attempt(container_id: str, folder: str) -> Probe:
    """Tries to create a file in ``folder`` as the running container sees it (its own mounts,
    reached through /proc/1/root: nothing is mounted again, so a bind source removed from the
    host is never re-created).

    The probe first proves it can write at all, in a tmpfs of its own. A write that succeeds
    is undone at once.
    """
    script = (
        _PROVE_WRITING
        + f"[ -d {_VIEWED_ROOT}/ ] || {{ echo PROBE-BROKEN: no view of the container; exit 3; }}; "
        + _IN_CONTAINER
        + _TRY_WRITING
    )
    command = ("sh", "-c", script, "sh", _write_target(folder))
    return Probe(command=command, pid=f"container:{container_id}", tmpfs=SCRATCH, timeout_s=10)


def write_attempt_in_copy(source: str, folder: str, *, read_only: bool) -> Probe:
    """For a container that is not running: tries the write through the same mount made
    again in the probe (same source, same read-only flag); refused at creation, never
    re-created, when the source no longer exists on the host."""
    script = _PROVE_WRITING + 'f="$1"; ' + _TRY_WRITING
    return Probe(
        command=("sh", "-c", script, "sh", _write_target(folder)),
        tmpfs=SCRATCH,
        bind=(source, folder, read_only),
        timeout_s=10,
    )


# The write probes' steps: prove the probe can write at all (its own tmpfs), then try "$f" and
# undo a write that went through.
_PROVE_WRITING = f"touch {SCRATCH}/probe || {{ echo PROBE-BROKEN; exit 3; }}; "
_TRY_WRITING = 'if touch "$f" 2>&1; then rm -f "$f"; echo WROTE; else echo REFUSED; fi'


def _write_target(folder: str) -> str:
    return f"{folder.rstrip('/')}/{WRITE_PROBE_NAME}"


HOST_ROOT = "/.docker-grade-host"
# Resolves each absolute path given, one symlink at a time, against the engine host's root
# mounted read-only at HOST_ROOT (the kernel would resolve an absolute link against the
# probe's own root). Prints "<path>\t<resolved>" per path; at most 40 links per path.
_RESOLVE = f'''
for given in "$@"; do
  out=""; rest="$given"; hops=0
  while [ -n "$rest" ]; do
    rest="${{rest#/}}"; part="${{rest%%/*}}"
    if [ "$part" = "$rest" ]; then rest=""; else rest="${{rest#*/}}"; fi
    case "$part" in ""|.) continue;; ..) out="${{out%/*}}"; continue;; esac
    if [ -L "{HOST_ROOT}$out/$part" ] && [ $hops -lt 40 ]; then
      link="$(readlink "{HOST_ROOT}$out/$part")"; hops=$((hops+1))
      case "$link" in /*) out="";; esac
      rest="$link/$rest"
    else
      out="$out/$part"
    fi
  done
  printf '%s\t%s\n' "$given" "${{out:-/}}"
done
'''


def resolve_host_paths(paths: tuple[str, ...]) -> Probe:
    """Where each of the engine host's ``paths`` really leads, symlinks followed (a bind of a
    link to /etc mounts /etc). Read through the host's root mounted read-only."""
    return Probe(
        command=("sh", "-c", _RESOLVE, "sh", *paths), bind=("/", HOST_ROOT, True), timeout_s=10
    )


def host_path_exists(path: str) -> Probe:
    """Exit 0 when the engine host has ``path`` (symlinks followed against the host's root),
    FILE_ABSENT when it has not. For podman, which makes a missing bind source where Docker's
    ``--mount`` refuses it: a student's removed folder must never be made again."""
    script = (
        f"resolved=$({_RESOLVE}); "
        "resolved=\"${resolved#*$(printf '\\t')}\"; "
        f'[ -e "{HOST_ROOT}$resolved" ] || exit {FILE_ABSENT}'
    )
    return Probe(
        command=("sh", "-c", script, "sh", path), bind=("/", HOST_ROOT, True), timeout_s=10
    )


def resolved_paths(result: ProbeResult) -> dict[str, str]:
    """resolve_host_paths's answer, by path given."""
    pairs = (line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)
    return {given: resolved for given, resolved in pairs}


# Where a probe that mounts a host folder finds it: HOST_ROOT in a container of its own; in the
# resident probe container (which mounts the host's root there), the folder below it, found by
# the resident itself (grader.probes.resident).
MOUNTED_FOLDER = "DOCKER_GRADE_MOUNTED_FOLDER"
_MOUNTED_FOLDER = f"${{{MOUNTED_FOLDER}:-{HOST_ROOT}}}"


def stat_on_host(folder: str, name: str) -> Probe:
    """Prints ``<uid> <mtime> <date> <time> <zone>`` of the engine host's ``folder/name``
    (the mtime in seconds since the epoch, then as ``%y`` shows it, with its nanoseconds),
    read through ``folder`` mounted read-only the way `--mount` does (a missing folder is
    refused, never created); exit FILE_ABSENT when there is no such file."""
    script = (
        f'f="{_MOUNTED_FOLDER}/$1"; '
        f'[ -f "$f" ] || {{ echo "no such file" >&2; exit {FILE_ABSENT}; }}; '
        'stat -c "%u %Y %y" "$f"'
    )
    return Probe(
        command=("sh", "-c", script, "sh", name), bind=(folder, HOST_ROOT, True), timeout_s=10
    )


def read_on_host(folder: str, name: str) -> Probe:
    """Prints the engine host's ``folder/name`` (a volume's mountpoint, say), read through
    ``folder`` mounted read-only the way `--mount` does (a missing folder is refused, never
    created); exit FILE_ABSENT when there is no such file."""
    script = (
        f'f="{_MOUNTED_FOLDER}/$1"; '
        f'[ -f "$f" ] || {{ echo "no such file" >&2; exit {FILE_ABSENT}; }}; '
        'cat "$f"'
    )
    return Probe(
        command=("sh", "-c", script, "sh", name), bind=(folder, HOST_ROOT, True), timeout_s=10
    )


FILE_ABSENT = 4  # read_in_container's exit code when there is no such file


def read_in_container(container_id: str, path: str) -> Probe:
    """Prints the file at ``path`` as the running container sees it, symlinks followed inside
    the container as its own programs would; exit FILE_ABSENT when there is none."""
    script = (
        f'[ -d {_VIEWED_ROOT}/ ] || {{ echo "no view of the container" >&2; exit 3; }}; '
        + _IN_CONTAINER
        + f'[ -f "$f" ] || {{ echo "no such file" >&2; exit {FILE_ABSENT}; }}; cat "$f"'
    )
    return Probe(
        command=("sh", "-c", script, "sh", path), pid=f"container:{container_id}", timeout_s=10
    )


def list_processes(container_id: str) -> Probe:
    """The processes of a running container, read from /proc in its pid namespace: one line
    ``PID PPID UID COMMAND LINE`` each (the effective uid, as ``ps`` shows it). The probe's
    own processes (and ``docker exec``'s) do not descend from the container's pid 1, whose
    tree ``process_tree`` keeps."""
    script = (
        "for d in /proc/[0-9]*; do u=; pp=; "
        'while read -r k a b rest; do case "$k" in PPid:) pp=$a;; Uid:) u=$b;; esac; '
        'done < "$d/status" 2>/dev/null; '
        """c=$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null); """
        '[ -n "$u" ] && echo "${d#/proc/} $pp $u ${c:-?}"; done; true'
    )
    return Probe(
        command=("sh", "-c", script),
        pid=f"container:{container_id}",
        timeout_s=10,
        enterable=False,
    )


def process_tree(listing: str) -> list[dict[str, str]]:
    """The rows of ``list_processes`` that descend from pid 1, as ``docker top`` names the
    columns.

    >>> [p["CMD"] for p in process_tree("1 0 1000 node\\n7 1 0 sh\\n12 0 0 sh\\n13 12 0 cat")]
    ['node', 'sh']
    """
    rows = [line.split(maxsplit=3) for line in listing.splitlines()]
    rows = [row for row in rows if len(row) == 4 and row[0].isdigit() and row[1].isdigit()]
    children: dict[str, list[list[str]]] = {}
    for row in rows:
        children.setdefault(row[1], []).append(row)
    tree, waiting = [], [row for row in rows if row[0] == "1"]
    while waiting:
        row = waiting.pop(0)
        tree.append({"PID": row[0], "PPID": row[1], "UID": row[2], "CMD": row[3].strip()})
        waiting.extend(children.get(row[0], []))
    return sorted(tree, key=lambda p: int(p["PID"]))


RESULTS_DIR = "/.docker-grade-results"


# A probe's container settings, and the value of each that asks for nothing.
_UNSET = {"netns": "none", "pid": None, "tmpfs": None}


def container_groups(probes: list[Probe]) -> list[list[Probe]]:
    """Probes put together in as few containers as can run them side by side: a start is what
    a grading spends most on, and on 2 cores nine at once stretch each.

    Two probes share a container when every setting (network namespace, pid namespace,
    scratch tmpfs) is the same or unset in one of them, and both are about the same student
    containers: a container removed under a probe then fails only the probes that are about
    it. A probe that mounts a host folder runs alone (a refused mount fails only it).

    >>> a = "container:5e1f"
    >>> groups = container_groups([ping("10.0.0.2", netns=a), http_get("http://x/", netns=a),
    ...     http_get("http://127.0.0.1:8181/", netns="host"), ping("127.0.0.1", netns="host"),
    ...     write_attempt("5e1f", "/data"), read_in_container("5e1f", "/etc/passwd")])
    >>> [[p.command[0] for p in group] for group in groups]  # host pids, or those of 5e1f
    [['ping', 'sh'], ['sh', 'ping'], ['sh', 'sh']]
    """
    groups: list[tuple[dict, list[Probe]]] = []
    for probe in probes:
        own = _settings(probe)
        home = None
        if probe.bind is None:
            home = next(
                (
                    (n, merged)
                    for n, (settings, members) in enumerate(groups)
                    if members[0].bind is None
                    and _about(settings) == _about(own)
                    and (merged := _merged(settings, own)) is not None
                ),
                None,
            )
        if home is None:
            groups.append((own, [probe]))
        else:
            n, merged = home
            groups[n] = (merged, [*groups[n][1], probe])
    return [members for _, members in groups]


def _settings(probe: Probe) -> dict:
    return {"netns": probe.netns, "pid": probe.pid, "tmpfs": probe.tmpfs}


def _merged(a: dict, b: dict) -> dict | None:
    merged = {}
    for key, unset in _UNSET.items():
        if a[key] == b[key] or b[key] == unset:
            merged[key] = a[key]
        elif a[key] == unset:
            merged[key] = b[key]
        else:
            return None
    return merged


def _about(settings: dict) -> set[str]:
    """The student containers a probe joins."""
    return {
        value.removeprefix("container:")
        for value in (settings["netns"], settings["pid"])
        if value and value.startswith("container:")
    }


def side_by_side(probes: list[Probe]) -> Probe:
    """One probe running ``probes`` concurrently, each command's output and exit code kept in
    RESULTS_DIR/<n>.out, .err and .rc (read back with get_archive), in a container with every
    setting one of them asks for."""
    jobs = [
        f"( {shlex.join(probe.command)} >{RESULTS_DIR}/{n}.out 2>{RESULTS_DIR}/{n}.err; "
        f"echo $? >{RESULTS_DIR}/{n}.rc ) &"
        for n, probe in enumerate(probes)
    ]
    script = "\n".join([f"mkdir -p {RESULTS_DIR}", *jobs, "wait"])
    settings = _settings(probes[0])
    for probe in probes[1:]:
        settings = _merged(settings, _settings(probe))
    return Probe(
        command=("sh", "-c", script),
        **settings,
        timeout_s=max(probe.timeout_s for probe in probes),
        capabilities=tuple(sorted({c for probe in probes for c in probe.capabilities})),
    )


@dataclass(frozen=True)
class HttpAnswer:
    status: Optional[int]  # None: no HTTP answer at all
    body: str
    waited_s: int = 0  # how long it waited for a server that was not listening yet

    @classmethod
    def read(cls, result: ProbeResult) -> HttpAnswer:
        """busybox wget -S prints the status line on stderr, the body on stdout."""
        statuses = _STATUS_LINE.findall(result.stderr)
        waited = _WAITED.search(result.stderr)
        return cls(
            status=int(statuses[-1]) if statuses else None,
            body=result.stdout,
            waited_s=int(waited.group(1)) if waited else 0,
        )
