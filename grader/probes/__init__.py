"""Probes: commands run in throwaway containers of a trusted image, never in the student's.

A probe joins a student container's network namespace (``container:<id>``), the engine host's
(``host``), or its pid namespace to see its files as its mounts show them; it never trusts a
binary the student could have replaced.
"""

from grader.probes.kinds import (
    FILE_ABSENT,
    HttpAnswer,
    ImageFile,
    Probe,
    ProbeResult,
    host_path_exists,
    http_get,
    list_processes,
    ping,
    process_tree,
    read_in_container,
    read_on_host,
    resolve_host_paths,
    resolved_paths,
    stat_on_host,
    write_attempt,
    write_attempt_in_copy,
)
from grader.probes.runner import FolderUnavailable, ProbeRunner, ProbeUnavailable

__all__ = [
    "FolderUnavailable",
    "HttpAnswer",
    "ImageFile",
    "Probe",
    "ProbeResult",
    "ProbeRunner",
    "ProbeUnavailable",
    "FILE_ABSENT",
    "host_path_exists",
    "http_get",
    "list_processes",
    "ping",
    "process_tree",
    "read_in_container",
    "read_on_host",
    "resolve_host_paths",
    "resolved_paths",
    "stat_on_host",
    "write_attempt",
    "write_attempt_in_copy",
]
