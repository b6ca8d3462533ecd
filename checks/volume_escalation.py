"""volume-escalation: a root container writes into the host's /var/log through a bind mount.

The proof file's owner and time are read by a probe that mounts the host folder read-only
itself (`--mount`, which never creates a missing folder), on the engine's host, so this works
on a remote engine too.
"""

from __future__ import annotations

import posixpath
from datetime import datetime, timezone

from grader.kit import (
    FILE_ABSENT,
    Container,
    NotApplicable,
    Snapshot,
    Undecided,
    check,
    expect,
    fail,
    fixture,
    is_root,
    probe_plan,
    require_host_uids,
    run_probe,
    stat_on_host,
    t,
)


def _same_path(a: str, b: str) -> bool:
    return posixpath.normpath(a or "/") == posixpath.normpath(b or "/")


def _mounting(snapshot: Snapshot, params) -> list[Container]:
    """Containers of the image (running or not) with host_path bind-mounted at target."""
    return [
        c
        for c in snapshot.containers
        if snapshot.runs_image(c, params["image"])
        and (mount := c.mount_at(params["target"]))
        and mount.type == "bind"
        and _same_path(mount.source, params["host_path"])
    ]


def runs_as_root(container: Container) -> bool:
    """``--user`` unset, ``root`` or uid 0 however written (``00``, ``0:0``)."""
    return is_root(container.user)


def can_write(container: Container, params) -> bool:
    """A read-only mount (``-v /var/log:/youpi:ro``) wrote nothing, whatever the proof says."""
    mount = container.mount_at(params["target"])
    return mount is not None and mount.read_write


@fixture(scope="module")
def candidates(snapshot, params) -> list[Container]:
    # Best first: a root one with a writable mount, then the newest (the snapshot is newest
    # first).
    return sorted(
        _mounting(snapshot, params), key=lambda c: (not runs_as_root(c), not can_write(c, params))
    )


@fixture
def container(candidates) -> Container:
    if not candidates:
        raise NotApplicable(
            t(
                "no such container (see container-mounts-host-path)",
                "aucun conteneur de ce type (voir container-mounts-host-path)",
            )
        )
    return candidates[0]


@probe_plan
def proof_stat(snapshot, params):
    """The proof's owner and time, read on the engine's host from the start of the grading
    (when some container mounts the folder: otherwise no check reads it)."""
    if not _mounting(snapshot, params):
        return None
    return stat_on_host(params["host_path"], params["proof"])


@check("container-mounts-host-path")
def check_container_mounts_host_path(candidates, snapshot, params, verdict):
    wanted = f"{params['host_path']}:{params['target']}"
    if not candidates:
        seen = [
            f"{c.describe()}: "
            + ", ".join(f"{m.source or m.name}:{m.destination}" for m in c.mounts)
            for c in snapshot.containers
            if snapshot.runs_image(c, params["image"])
        ]
        fail(
            t("no {i} container mounts {w}", "aucun conteneur {i} ne monte {w}").format(
                i=params["image"], w=wanted
            ),
            expected=f"-v {wanted}",
            found=seen or t("no {i} container", "aucun conteneur {i}").format(i=params["image"]),
        )
    verdict.evidence(container=candidates[0].describe(), status=candidates[0].status)


@check("runs-as-root")
def check_runs_as_root(container, verdict):
    verdict.evidence(container=container.describe(), user=container.user or "(image default: root)")
    expect(
        runs_as_root(container),
        t("it runs as another user", "il tourne sous un autre utilisateur"),
        expected="root",
        found=container.user,
    )


@check("proof-written")
def check_proof_written(container, candidates, snapshot, probes, proof_stat, params, verdict):
    _require_a_rootful_engine(snapshot, params)
    require_host_uids(snapshot)
    inside = posixpath.join(params["target"], params["proof"])
    on_host = posixpath.join(params["host_path"], params["proof"])
    verdict.evidence(file=on_host, seen_by=f"{container.describe()} at {inside}")
    uid, modified = _owner_and_time(probes, proof_stat, params)
    verdict.evidence(owner_uid=uid, modified=modified.isoformat())
    expect(
        uid == 0,
        t("{f} does not belong to root", "{f} n'appartient pas à root").format(f=on_host),
        expected="uid 0 (root)",
        found=f"uid {uid}",
    )
    # Root wrote it (uid 0); through one of these containers if one could write there and
    # existed then: any one of them, not only the newest (the command run again since), and
    # whatever user it was started as (`docker exec -u root` counts: the mount is the risk).
    writable = [c for c in candidates if can_write(c, params)]
    expect(
        bool(writable),
        t(
            "{f} was not written through the containers: they mount {h} read-only",
            "{f} n'a pas été écrit par les conteneurs : ils montent {h} en lecture seule",
        ).format(f=on_host, h=params["host_path"]),
        expected=f"-v {params['host_path']}:{params['target']}",
        found=f"-v {params['host_path']}:{params['target']}:ro",
    )
    writers = [c for c in writable if _no_later(c.created_exactly, modified)]
    oldest = min(c.created_exactly for c in writable)
    expect(
        bool(writers),
        t(
            "{f} is older than the containers that mount it: it was not written through them",
            "{f} est plus ancien que les conteneurs qui le montent : il n'a pas été écrit par eux",
        ).format(f=on_host),
        expected=t("modified at or after {c}", "modifié à {c} ou après").format(
            c=oldest.isoformat()
        ),
        found=modified.isoformat(),
    )
    verdict.evidence(written_through=writers[0].describe())


def _require_a_rootful_engine(snapshot, params) -> None:
    """A rootless engine (rootless Docker or podman) maps root in a container to its own user:
    that root cannot write the host's folder, which is the risk this exercise shows."""
    if snapshot.rootless:
        raise NotApplicable(
            t(
                "this engine runs rootless: root in a container is your own user on the host, "
                "so it cannot write {h} there. This engine already prevents the risk the "
                "exercise shows; to see it, do the exercise on a rootful engine (sudo docker, "
                "Docker Desktop)",
                "ce moteur tourne sans root (rootless) : root dans un conteneur y est votre "
                "propre utilisateur, il ne peut donc pas écrire dans {h}. Ce moteur empêche "
                "déjà le risque que montre l'exercice ; pour le voir, faites l'exercice sur un "
                "moteur qui tourne en root (sudo docker, Docker Desktop)",
            ).format(h=params["host_path"])
        )


def _owner_and_time(probes, proof_stat, params) -> tuple[int, datetime]:
    on_host = posixpath.join(params["host_path"], params["proof"])
    result = run_probe(probes, proof_stat)
    if result.exit_code == FILE_ABSENT:
        fail(
            t("{f} does not exist", "{f} n'existe pas").format(f=on_host),
            expected=t("a file written from the container", "un fichier écrit depuis le conteneur"),
            found=t("no such file", "fichier absent"),
        )
    fields = result.stdout.split()
    if result.exit_code != 0 or len(fields) < 2 or not all(f.isdigit() for f in fields[:2]):
        raise Undecided(
            t("{f} could not be read: {e}", "{f} n'a pas pu être lu : {e}").format(
                f=on_host, e=result.stderr.strip() or result.stdout.strip() or result.exit_code
            )
        )
    return int(fields[0]), _mtime(int(fields[1]), fields[3] if len(fields) > 3 else "")


def _mtime(seconds: int, clock: str) -> datetime:
    """The file's time with its fraction of a second, from ``%y``'s ``HH:MM:SS.NNNNNNNNN``.

    >>> _mtime(1796586784, "19:53:04.504532292").isoformat()
    '2026-12-06T19:53:04.504532+00:00'
    """
    _, _, fraction = clock.partition(".")
    micro = int(fraction[:6].ljust(6, "0")) if fraction.isdigit() else 0
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=micro)


def _no_later(created: datetime, modified: datetime) -> bool:
    """Created no later than the file's last write. To the microsecond, where the file system
    keeps fractions of a second (a container made just after a write did not make it);
    in whole seconds where it keeps none."""
    if modified.microsecond == 0:
        return created.replace(microsecond=0) <= modified
    return created <= modified
