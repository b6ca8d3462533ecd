"""Podman behind its Docker-compatible API (``podman system service``, ``podman-docker``): where
it answers otherwise than Docker, and how the grader reads it the Docker way.

- It names local images ``localhost/NAME``: see grader.engine.references.
- ``GET /containers/{id}/top`` reads the processes itself (psgo: /proc read by podman on the
  engine's host, as Docker's host-side ``ps`` does) when every ``ps_args`` field is one of
  its descriptors; otherwise it runs the container's own ``ps``, which the student controls,
  and which may reject the arguments (podman then answers 200 with an empty body).
- It gives every container a PID limit unless told otherwise.

>>> product_of({"Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]})
'podman'
>>> product_of({"Components": [{"Name": "Engine", "Version": "20.10.24"}]})
'docker'
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.i18n import Localized, t

DOCKER, PODMAN = "docker", "podman"

# containers.conf's ``pids_limit`` when nobody changed it: what `podman run` sets by itself.
DEFAULT_PIDS_LIMIT = 2048

# psgo's descriptors (``podman top --list-descriptors``). psgo has no numeric uid: ``user`` is
# the effective uid as the container's /etc/passwd names it, ``huser`` as the engine host's
# does (the host's uid, the number when it has no name). Both are read, since the image's
# passwd is the student's to write and a rootless podman maps root to a host user.
TOP_PS_ARGS = "pid,ppid,user,huser,args"
_TOP_TITLES = ("PID", "PPID", "USER", "HUSER", "COMMAND")
_ROOT_NAMES = ("root", "0")


def product_of(version: dict) -> str:
    """``podman`` or ``docker``, from the engine's ``/version``: podman lists itself among the
    components as "Podman Engine"."""
    names = {component.get("Name") for component in version.get("Components") or ()}
    return PODMAN if "Podman Engine" in names else DOCKER


@dataclass(frozen=True)
class TopReading:
    """The container's processes as Docker's ``top`` rows (``PID``, ``PPID``, ``UID``: ``0``
    for root, ``CMD``), or why there are none."""

    processes: list[dict[str, str]] | None
    problem: Localized | None = None


def read_top(top: dict) -> TopReading:
    """Podman's answer to ``top`` with TOP_PS_ARGS. Other titles mean podman ran the
    container's own ``ps`` instead of psgo: its output is not evidence."""
    titles = tuple(top.get("Titles") or ())
    rows = top.get("Processes") or []
    if titles != _TOP_TITLES or any(len(row) != len(titles) for row in rows):
        return TopReading(
            None,
            t(
                "podman answered `top` with the container's own ps (columns {c}), which the "
                "container controls: its processes are not graded from it",
                "podman a répondu à `top` avec le ps du conteneur lui-même (colonnes {c}), que le "
                "conteneur contrôle : ses processus ne sont pas jugés d'après lui",
            ).format(c=", ".join(titles) or "-"),
        )
    return TopReading([_as_docker_row(dict(zip(titles, row))) for row in rows])


def _as_docker_row(row: dict[str, str]) -> dict[str, str]:
    """Root by either name is root; anyone else is shown as the image names them (``node``,
    which a student recognises, rather than the host's name for uid 1000)."""
    root = row["USER"] in _ROOT_NAMES or row["HUSER"] in _ROOT_NAMES
    return {
        "PID": row["PID"],
        "PPID": row["PPID"],
        "UID": "0" if root else row["USER"],
        "CMD": row["COMMAND"],
    }


def unreadable_top(product: str) -> Localized:
    """Why an answer to ``top`` that is not JSON cannot be graded."""
    if product == PODMAN:
        return t(
            "podman's answer to `top` was empty or not JSON (podman runs the container's "
            "own ps when it cannot read the processes itself)",
            "la réponse de podman à `top` était vide ou pas du JSON (podman lance le ps du "
            "conteneur quand il ne sait pas lire les processus lui-même)",
        )
    return t(
        "the engine's answer to `top` was empty or not JSON",
        "la réponse du moteur à `top` était vide ou pas du JSON",
    )
