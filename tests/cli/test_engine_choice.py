"""`check --context` and the docker CLI's contexts, from the command line: the one-line errors
say which engine was tried and why (no engine needed: these engines do not answer)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support.cli import docker_grade

EXIT_USAGE, EXIT_ENGINE = 2, 3


@pytest.fixture
def docker_config(tmp_path) -> Path:
    return tmp_path / "docker-config"


def create_context(docker_config: Path, name: str, host: str) -> None:
    subprocess.run(
        ["docker", "context", "create", name, "--docker", f"host={host}"],
        env={**os.environ, "DOCKER_CONFIG": str(docker_config)},
        check=True,
        capture_output=True,
    )


def environment(docker_config: Path, **variables: str) -> dict[str, str]:
    """This process's environment, with no engine named but by ``variables``."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
    }
    return {**inherited, "DOCKER_CONFIG": str(docker_config), **variables}


def one_line(run, code: int) -> str:
    assert run.exit_code == code, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    return run.stderr.strip()


def test_the_current_context_that_does_not_answer_is_named(docker_config, tmp_path):
    socket = f"unix://{tmp_path}/colima/docker.sock"
    create_context(docker_config, "colima", socket)
    (docker_config / "config.json").write_text('{"currentContext": "colima"}')

    run = docker_grade("check", "custom-bridge", env=environment(docker_config))

    assert one_line(run, EXIT_ENGINE) == (
        f"docker-grade: the current context 'colima' points to {socket}: "
        "no engine answers there (is colima started?)"
    )


def test_docker_context_names_the_context(docker_config, tmp_path):
    socket = f"unix://{tmp_path}/lab.sock"
    create_context(docker_config, "lab", socket)
    run = docker_grade("check", env=environment(docker_config, DOCKER_CONTEXT="lab"))
    assert one_line(run, EXIT_ENGINE) == (
        f"docker-grade: the context 'lab' (DOCKER_CONTEXT) points to {socket}: "
        "no engine answers there (is its engine started?)"
    )


def test_docker_host_is_named(docker_config, tmp_path):
    run = docker_grade(
        "check", env=environment(docker_config, DOCKER_HOST=f"unix://{tmp_path}/nothing.sock")
    )
    assert one_line(run, EXIT_ENGINE).startswith(
        f"docker-grade: DOCKER_HOST points to unix://{tmp_path}/nothing.sock: no engine answers"
    )


def test_an_unknown_context_lists_those_that_exist(docker_config, tmp_path):
    create_context(docker_config, "colima", f"unix://{tmp_path}/colima.sock")
    create_context(docker_config, "lab", f"unix://{tmp_path}/lab.sock")

    run = docker_grade("check", "--context", "colma", env=environment(docker_config))

    assert one_line(run, EXIT_USAGE) == (
        "docker-grade: no context named 'colma' (--context); contexts: default, colima, lab"
    )


def test_batch_refuses_an_unknown_context_before_grading(docker_config, tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,docker_host\ns01,unix:///nowhere.sock\n")
    run = docker_grade(
        "batch",
        str(roster),
        "--out",
        str(tmp_path / "grades"),
        "--context",
        "nope",
        env=environment(docker_config),
    )
    assert "no context named 'nope'" in one_line(run, EXIT_USAGE)
    assert not (tmp_path / "grades").exists()


def test_docker_host_and_context_together_are_a_usage_error(docker_config):
    run = docker_grade(
        "check",
        "--docker-host",
        "unix:///x.sock",
        "--context",
        "lab",
        env=environment(docker_config),
    )
    assert "give only one" in one_line(run, EXIT_USAGE)


def test_batch_gives_each_child_the_address_the_context_resolves_to(docker_config, tmp_path):
    socket = f"unix://{tmp_path}/lab.sock"
    create_context(docker_config, "lab", socket)
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,docker_host\ns01,unix:///roster.sock\n")

    run = docker_grade(
        "batch",
        str(roster),
        "--out",
        str(tmp_path / "grades"),
        "--context",
        "lab",
        env=environment(docker_config, COLUMNS="200"),
    )

    assert run.exit_code == EXIT_ENGINE, run.stderr
    assert f"ungradable: cannot use the Docker engine at {socket}" in run.stdout
    assert "roster.sock" not in run.stdout


def test_the_schema_says_how_the_engine_was_chosen():
    schema = json.loads(docker_grade("schema").stdout)
    host = schema["$defs"]["Host"]["properties"]
    assert "chosen_by" in host and "context" in host
    assert schema["$defs"]["ChosenBy"]["enum"] == ["option", "env", "context", "default"]
