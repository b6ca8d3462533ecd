"""The kit: everything a check module imports, from this one module.

A check module (``checks/<exercise_id>.py``, the id's dashes as underscores) holds one
function per rubric check, tied to the spec's check id by ``@check``. The function asks for
what it needs by name (the fixtures: ``snapshot``, ``probes``, ``params``, ``lang``,
``verdict``, and the module's own ``@fixture`` functions) and ends in one of four ways:

- it returns: ``passed`` (``verdict.note(...)`` says what was seen);
- ``fail(...)`` / ``expect(...)``: ``failed``, with what was expected and what was found;
- ``raise Undecided(...)``: ``error``, the grader could not tell (a probe that cannot run);
- ``raise NotApplicable(...)``: ``skipped``, something it needs is missing.

Texts are in both languages: ``t("no such network", "réseau introuvable")``.

>>> from grader.kit import check, expect, t                          # doctest: +SKIP
>>> @check("network-subnet")
... def network_subnet(network, params, verdict):
...     verdict.evidence(subnets=network.subnets)
...     expect(params["subnet"] in network.subnets, t("wrong subnet", "mauvais sous-réseau"),
...            expected=params["subnet"], found=network.subnets)

Behaviour is observed from probe containers of a trusted image (``ping``, ``http_get``,
``write_attempt``, ``read_in_container``...) started with ``run_probe(probes, probe)``, or
through the verdict helpers that prove their probes both ways (``expect_reaches``,
``expect_isolated``, ``http_answer``). A module declares the probes it will need with
``@probe_plan``, so that all of a grading's probes start at once. See docs/authoring.md.
"""

from docker.errors import APIError, NotFound

from grader.artifacts.archive import (
    ArchiveContents,
    ArchivedImage,
    ArchiveError,
    CorruptLayer,
    is_tar,
    read_archive,
)
from grader.artifacts.dockerfile import Dockerfile, DockerfileError, lint, parse_dockerfile
from grader.artifacts.student_files import NotARegularFile, read_text
from grader.engine.container import Container, Endpoint, Mount
from grader.engine.files import FileRead, read_file
from grader.engine.image import Image
from grader.engine.logs import first_line as first_log_line
from grader.engine.logs import first_line_within as first_log_line_within
from grader.engine.network import Network
from grader.engine.podman import (
    DEFAULT_PIDS_LIMIT,
    DOCKER,
    PODMAN,
    TOP_PS_ARGS,
    TopReading,
    read_top,
    unreadable_top,
)
from grader.engine.references import normalize
from grader.engine.snapshot import Snapshot
from grader.engine.users import is_root
from grader.engine.volume import Volume
from grader.i18n import Localized, Text, render, t
from grader.kit.behaviour import (
    HOST,
    LOOPBACK,
    Isolation,
    Reach,
    answers_ping,
    expect_isolated,
    expect_reaches,
    http_answer,
    http_found,
    netns_of,
    note_http_wait,
    run_probe,
    startup_deadline,
    startup_wait_s,
    taken_addresses,
    unchanged_during,
    unused_address,
)
from grader.kit.discovery import Discovery, Pair, discover_pair
from grader.kit.fixtures import fixture
from grader.kit.plans import probe_plan
from grader.kit.verdicts import (
    CheckFailed,
    NotApplicable,
    Undecided,
    Verdict,
    check,
    expect,
    fail,
    require_host_uids,
)
from grader.probes import (
    FILE_ABSENT,
    HttpAnswer,
    ImageFile,
    Probe,
    ProbeResult,
    ProbeRunner,
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
from grader.spec.params import parse_size

__all__ = [
    # declaring checks, and how they end
    "check",
    "fixture",
    "probe_plan",
    "expect",
    "fail",
    "CheckFailed",
    "Undecided",
    "NotApplicable",
    "Verdict",
    "require_host_uids",
    # texts in both languages
    "t",
    "Localized",
    "Text",
    "render",
    # the snapshot's types
    "Snapshot",
    "Container",
    "Endpoint",
    "Mount",
    "Network",
    "Image",
    "Volume",
    "normalize",
    "is_root",
    "DOCKER",
    "PODMAN",
    "DEFAULT_PIDS_LIMIT",
    "TOP_PS_ARGS",
    "TopReading",
    "read_top",
    "unreadable_top",
    "APIError",
    "NotFound",
    # containers the course does not name
    "Discovery",
    "Pair",
    "discover_pair",
    # probes, and verdicts proven both ways
    "Probe",
    "ProbeResult",
    "ImageFile",
    "ProbeRunner",
    "HttpAnswer",
    "FILE_ABSENT",
    "ping",
    "host_path_exists",
    "http_get",
    "list_processes",
    "process_tree",
    "read_in_container",
    "read_on_host",
    "write_attempt",
    "write_attempt_in_copy",
    "stat_on_host",
    "resolve_host_paths",
    "resolved_paths",
    "run_probe",
    "startup_deadline",
    "startup_wait_s",
    "answers_ping",
    "Reach",
    "Isolation",
    "expect_reaches",
    "expect_isolated",
    "http_answer",
    "http_found",
    "note_http_wait",
    "unchanged_during",
    "netns_of",
    "unused_address",
    "taken_addresses",
    "HOST",
    "LOOPBACK",
    # files: in a container (Engine API), and in the student's folder
    "first_log_line",
    "first_log_line_within",
    "FileRead",
    "read_file",
    "read_text",
    "NotARegularFile",
    "Dockerfile",
    "DockerfileError",
    "parse_dockerfile",
    "lint",
    "ArchiveContents",
    "ArchivedImage",
    "ArchiveError",
    "CorruptLayer",
    "is_tar",
    "read_archive",
    "parse_size",
]
