"""Probes: commands run in throwaway containers of a trusted image, never in the student's.

A probe joins a student container's network namespace (``container:<id>``), the engine host's
(``host``), or borrows a container's mounts (``volumes_from``); it never trusts a binary the
student could have replaced.
"""

from grader.probes.kinds import HttpAnswer, Probe, ProbeResult, http_get, ping, write_attempt
from grader.probes.runner import ProbeRunner, ProbeUnavailable

__all__ = [
    "HttpAnswer", "Probe", "ProbeResult", "ProbeRunner", "ProbeUnavailable",
    "http_get", "ping", "write_attempt",
]
