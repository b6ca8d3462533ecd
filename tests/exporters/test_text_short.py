"""The default text report: a line per exercise, what to fix under it, the total and what to do
next; on report objects made here (no engine), at 80 columns."""

from datetime import datetime, timezone

from grader.exporters.text import Detail, TextExporter
from grader.report.models import CheckResult, ExerciseResult, Host, Report, Status, Student, Tool

PREREQUISITE = "skipped: the prerequisite check '{}' did not pass"


def result(
    check_id: str,
    status: Status,
    message: str = "as expected",
    hint: str | None = None,
    weight: float = 1.0,
) -> CheckResult:
    passed = status is Status.PASSED
    return CheckResult(
        id=check_id,
        title=f"title of {check_id}",
        status=status,
        score=weight if passed else 0.0,
        max_score=weight,
        message=message,
        hint=None if passed else hint or f"hint for {check_id}",
        evidence={},
        duration_s=0.1,
    )


def passed(*check_ids: str) -> list[CheckResult]:
    return [result(check_id, Status.PASSED) for check_id in check_ids]


def waiting(prerequisite: str, *check_ids: str) -> list[CheckResult]:
    return [
        result(check_id, Status.SKIPPED, PREREQUISITE.format(prerequisite))
        for check_id in check_ids
    ]


def exercise(exercise_id: str, title: str, checks: list[CheckResult]) -> ExerciseResult:
    return ExerciseResult(
        id=exercise_id,
        title=title,
        checks=checks,
        score=sum(c.score for c in checks),
        max_score=sum(c.max_score for c in checks),
    )


def report(*exercises: ExerciseResult) -> Report:
    return Report(
        tool=Tool(name="docker-grade", version="0.1.0"),
        student=Student(id=None),
        host=Host(
            docker_host="unix:///var/run/docker.sock",
            engine_version="27.0",
            api_version="1.46",
            os="Docker Desktop",
            engine_id="ABCD",
        ),
        started_at=datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc),
        duration_s=1.0,
        score=sum(e.score for e in exercises),
        max_score=sum(e.max_score for e in exercises),
        exercises=list(exercises),
    )


def render(
    graded: Report,
    lang: str = "en",
    detail: Detail = Detail.SHORT,
    width: int = 80,
    color: bool = False,
) -> str:
    return TextExporter(detail, width=width).render(graded, lang=lang, color=color)


BRIDGE_TITLE = "A bridge network with a chosen subnet"
NGINX_TITLE = "Replace nginx's default page with a read-only bind mount"
NODE_TITLE = "A multistage image for a Node app, run on port 8181"
SUBNET_MESSAGE = (
    "the subnet is wider than asked: check the prefix length; "
    "expected: 192.168.0.0/24; found: 192.168.0.0/16"
)
SUBNET_HINT = (
    "The prefix length matters: 192.168.0.0/24 is not 192.168.0.0/16. Recreate the "
    "network with --subnet=192.168.0.0/24 (disconnect or remove its containers "
    "first)."
)


def fully_passed() -> Report:
    return report(
        exercise(
            "custom-bridge",
            BRIDGE_TITLE,
            passed("network-exists", "network-driver", "network-subnet"),
        ),
        exercise("nginx-ro-volume", NGINX_TITLE, passed("container-running", "bind-mount")),
    )


def partial() -> Report:
    bridge = passed("network-exists", "network-driver") + [
        result("network-subnet", Status.FAILED, SUBNET_MESSAGE, SUBNET_HINT),
        result("container-attached", Status.ERROR, "the grader could not decide: timed out"),
        *waiting("container-attached", "container-detached-tty"),
    ]
    node = [
        *passed("dockerfile-multistage"),
        result(
            "image-built",
            Status.FAILED,
            "no such image; expected: mine/node",
            "Build it: docker build -t mine/node .",
        ),
        *waiting("image-built", "container-running"),
        *waiting("container-running", "http-responds", "logs-show-start"),
    ]
    return report(
        exercise("node-multistage", NODE_TITLE, node),
        exercise("custom-bridge", BRIDGE_TITLE, bridge),
        exercise("nginx-ro-volume", NGINX_TITLE, passed("container-running")),
    )


def empty_engine() -> Report:
    return report(
        exercise(
            "custom-bridge",
            BRIDGE_TITLE,
            [
                result(
                    "network-exists",
                    Status.FAILED,
                    "no such network; expected: a network named mybridge; found: none",
                    "Create it: docker network create --driver=bridge "
                    "--subnet=192.168.0.0/24 mybridge",
                ),
                *waiting(
                    "network-exists", "network-driver", "network-subnet", "container-attached"
                ),
                *waiting("container-attached", "container-detached-tty"),
            ],
        ),
        exercise(
            "nginx-ro-volume",
            NGINX_TITLE,
            [
                result(
                    "container-running",
                    Status.FAILED,
                    "no container named mynginx",
                    "Start it with --name mynginx",
                    weight=2.0,
                ),
                *waiting("container-running", "bind-mount"),
            ],
        ),
    )


def test_a_fully_passed_report_is_a_line_per_exercise():
    assert render(fully_passed()) == (
        "custom-bridge    3/3  ██████████  A bridge network with a chosen subnet\n"
        "nginx-ro-volume  2/2  ██████████  Replace nginx's default page with a read-only…\n"
        "Total: 5 / 5\n"
        "Next: nothing, every check passes.\n"
    )


def test_a_partial_report_shows_what_to_fix_and_folds_the_skipped_checks():
    assert render(partial()) == (
        "node-multistage  1/5  ██░░░░░░░░  A multistage image for a Node app, run on por…\n"
        "  ✗ image-built: no such image; expected: mine/node\n"
        "    hint: Build it: docker build -t mine/node .\n"
        "  3 more checks wait on image-built\n"
        "custom-bridge    2/5  ████░░░░░░  A bridge network with a chosen subnet\n"
        "  ✗ network-subnet: the subnet is wider than asked: check the prefix length;\n"
        "    expected: 192.168.0.0/24; found: 192.168.0.0/16\n"
        "    hint: The prefix length matters: 192.168.0.0/24 is not 192.168.0.0/16.\n"
        "          Recreate the network with --subnet=192.168.0.0/24 (disconnect or\n"
        "          remove its containers first).\n"
        "  ? container-attached: the grader could not decide: timed out\n"
        "    hint: hint for container-attached\n"
        "  1 more check waits on container-attached\n"
        "nginx-ro-volume  1/1  ██████████  Replace nginx's default page with a read-only…\n"
        "Total: 4 / 11\n"
        "Next: node-multistage/image-built: Build it: docker build -t mine/node .\n"
    )


def test_an_empty_engine_gets_the_first_step_of_each_exercise():
    assert render(empty_engine()) == (
        "custom-bridge    0/5  ░░░░░░░░░░  A bridge network with a chosen subnet\n"
        "  ✗ network-exists: no such network; expected: a network named mybridge; found:\n"
        "    none\n"
        "    hint: Create it: docker network create --driver=bridge\n"
        "          --subnet=192.168.0.0/24 mybridge\n"
        "  4 more checks wait on network-exists\n"
        "nginx-ro-volume  0/3  ░░░░░░░░░░  Replace nginx's default page with a read-only…\n"
        "  ✗ container-running: no container named mynginx\n"
        "    hint: Start it with --name mynginx\n"
        "  1 more check waits on container-running\n"
        "Total: 0 / 8\n"
        "Next: custom-bridge/network-exists: Create it: docker network create\n"
        "      --driver=bridge --subnet=192.168.0.0/24 mybridge\n"
    )


def test_in_french():
    text = render(partial(), lang="fr")
    assert "  3 autres vérifications attendent image-built\n" in text
    assert "  1 autre vérification attend container-attached\n" in text
    assert "    conseil : Build it: docker build -t mine/node .\n" in text
    assert text.endswith(
        "Total: 4 / 11\n"
        "À faire : node-multistage/image-built: Build it: docker build -t "
        "mine/node .\n"
    )
    assert render(fully_passed(), lang="fr").endswith(
        "À faire : rien, toutes les vérifications réussissent.\n"
    )


def test_skipped_checks_that_name_no_prerequisite_are_still_folded():
    checks = [
        result("archive-exists", Status.FAILED, "no archive"),
        result("archive-valid", Status.SKIPPED, "not applicable here"),
        result("archive-tagged", Status.SKIPPED, "not applicable here"),
    ]
    assert "  2 more checks skipped\n" in render(report(exercise("image-save", "Save", checks)))


def test_several_prerequisites_are_named_once_each():
    checks = [
        result("dockerfile", Status.FAILED, "no Dockerfile"),
        result("image-built", Status.FAILED, "no image"),
        *waiting("dockerfile", "lint"),
        *waiting("image-built", "run", "logs"),
        result("size", Status.SKIPPED, "no image (see image-built)"),
    ]
    text = render(report(exercise("node", "Node", checks)))
    assert "  4 more checks wait on dockerfile, image-built\n" in text


def test_quiet_prints_the_total_only():
    assert render(partial(), detail=Detail.TOTAL) == "Total: 4 / 11\n"


def test_verbose_is_the_full_table():
    text = render(partial(), detail=Detail.FULL)
    assert "┃ check" in text and "┃ status" in text and "┃ points" in text
    assert "container-detached-tty │ skipped" in text  # skipped checks listed, not folded
    assert "hint: The prefix length matters" in text and "Next:" not in text
    assert text.endswith("Total: 4 / 11\n")


def test_never_wider_than_the_terminal():
    for detail in Detail:
        for width in (80, 60):
            lines = render(partial(), detail=detail, width=width).splitlines()
            assert max(len(line) for line in lines) <= width, (detail, width)


def test_no_escape_codes_unless_the_output_is_a_terminal():
    assert "\x1b" not in render(partial())
    assert "\x1b[" in render(partial(), color=True)


def test_student_strings_cannot_inject_escapes_or_markup():
    hostile = (
        "container \x1b]0;pwned\x07\x1b[2Jevil\r[bold red]boom[/] :smile: \u202egnp.exe\x9b31m"
    )
    checks = [result("container-running", Status.FAILED, hostile, hint=f"remove {hostile}")]
    graded = report(exercise("nginx-ro-volume", NGINX_TITLE, checks))
    for detail in Detail:
        text = render(graded, detail=detail, color=True)
        for injected in ("\x1b]0;", "\x1b[2J", "\x07", "\r", "\u202e", "\x9b"):
            assert injected not in text, (detail, injected)
    plain = render(graded)
    # what is left of an escape sequence is shown as text, harmless once its ESC is gone
    assert "container ]0;pwned[2Jevil[bold red]boom[/] :smile: gnp.exe31m" in plain


def test_checks_failing_for_one_reason_are_one_line():
    reason = "no running mine/node container; expected: docker run -d mine/node"
    practices = exercise(
        "best-practices",
        "Good practice",
        [
            result("memory-limited", Status.FAILED, reason),
            result("cpu-limited", Status.FAILED, reason),
            result("pids-limited", Status.FAILED, reason),
            *passed("not-privileged"),
            result("non-root", Status.FAILED, reason),
        ],
    )

    lines = render(report(practices)).split("\nTotal:")[0].splitlines()  # Next: comes after

    assert lines[1] == (
        "  ✗ memory-limited, cpu-limited, pids-limited: no running mine/node container;"
    )
    assert "hint for memory-limited" not in "\n".join(lines)  # each has its own: see -v
    assert any(line.startswith("  ✗ non-root: no running") for line in lines)
    assert "hint for non-root" in "\n".join(lines)
