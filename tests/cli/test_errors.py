"""Every documented exit code, with its one-line message and no traceback."""

import os
import subprocess

import pytest

from support.cli import EXECUTABLE, docker_grade
from support.sockets import forbidden_engine, silent_engine

EXIT_USAGE, EXIT_ENGINE = 2, 3


def assert_one_line_error(run, code: int, *fragments: str) -> None:
    assert run.exit_code == code, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("docker-grade: ") or run.stderr.startswith("Usage:"), run.stderr
    for fragment in fragments:
        assert fragment in run.stderr


def test_unknown_exercise():
    run = docker_grade("check", "no-such-exercise")
    assert_one_line_error(run, EXIT_USAGE, "unknown exercise 'no-such-exercise'", "custom-bridge")
    assert len(run.stderr.strip().splitlines()) == 1


def test_explain_unknown_exercise():
    assert_one_line_error(docker_grade("explain", "nope"), EXIT_USAGE, "unknown exercise")


@pytest.mark.parametrize(
    "setting, fragment",
    [
        ("subnet", "expected NAME=VALUE"),
        ("=x", "expected NAME=VALUE"),
        ("nosuchparam=1", "no selected exercise has a param 'nosuchparam'"),
        ("subnet=192.168.0.0/33", "is not a subnet"),
        ("network-isolation.network=x", "no selected exercise has a param 'network'"),
    ],
)
def test_malformed_or_unknown_set(setting, fragment):
    run = docker_grade("check", "custom-bridge", "--set", setting)
    assert_one_line_error(run, EXIT_USAGE, fragment)


def test_unknown_option_is_a_usage_error():
    run = docker_grade("check", "--frobnicate")
    assert run.exit_code == EXIT_USAGE and "Traceback" not in run.stderr


def test_invalid_exercise_file_names_file_line_and_field(tmp_path):
    """A broken spec in a pack is reported once; the other exercises are still listed; asking
    for it is a usage error naming the file, the line and the field."""
    (tmp_path / "exercises").mkdir()
    spec = tmp_path / "exercises" / "broken.yaml"
    spec.write_text(
        "id: broken\nnumber: 1\ntitle: {en: a, fr: b}\nstatement: {en: a, fr: b}\n"
        "checks:\n  - id: one\n    weight: -1\n    title: {en: a, fr: b}\n"
        "    hint: {en: a, fr: b}\n"
    )
    env = {**os.environ, "DOCKER_GRADE_EXERCISES": str(tmp_path)}
    listed = docker_grade("list", env=env)
    assert listed.exit_code == 0 and "custom-bridge" in listed.stdout
    assert listed.stderr.count(f"{spec}:7:") == 1 and "left out" in listed.stderr
    run = docker_grade("explain", "broken", env=env)
    assert_one_line_error(run, EXIT_USAGE, f"{spec}:7:", "checks.0.weight", "greater than 0")


def test_unreachable_engine(tmp_path):
    run = docker_grade("check", "--docker-host", f"unix://{tmp_path}/nothing.sock")
    assert_one_line_error(run, EXIT_ENGINE, "no engine answers there")


def test_unreachable_tcp_engine():
    run = docker_grade("check", "--docker-host", "tcp://127.0.0.1:1")
    assert_one_line_error(run, EXIT_ENGINE, "tcp://127.0.0.1:1")


def test_engine_that_does_not_answer_times_out(tmp_path):
    with silent_engine(tmp_path / "silent.sock") as url:
        run = docker_grade("check", "--docker-host", url, "--engine-timeout", "1")
    assert_one_line_error(run, EXIT_ENGINE, "did not answer in time")


def test_permission_denied_on_the_socket(tmp_path):
    with forbidden_engine(tmp_path / "denied.sock") as url:
        # Root ignores file modes; without CAP_DAC_OVERRIDE it meets them like any user.
        command = [EXECUTABLE, "check", "--docker-host", url]
        if os.geteuid() == 0:
            command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.returncode == EXIT_ENGINE, completed.stderr
    assert "permission denied" in completed.stderr and "Traceback" not in completed.stderr


def test_unwritable_output_file(tmp_path, student):
    run = docker_grade("check", "custom-bridge", "-o", "/proc/no/such/dir/report.json")
    assert_one_line_error(run, EXIT_USAGE, "cannot write")
