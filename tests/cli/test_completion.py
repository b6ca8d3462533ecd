"""Shell completion, as a shell asks for it: the executable run with click's completion
variables (``_DOCKER_GRADE_COMPLETE``)."""

from __future__ import annotations

import os
import subprocess

import pytest

from support.cli import EXECUTABLE


def complete(*words: str, env: dict | None = None) -> list[str]:
    """What bash offers after ``docker-grade WORDS`` (the last word is the one being typed)."""
    completed = subprocess.run(
        [EXECUTABLE],
        capture_output=True,
        text=True,
        timeout=30,
        env={
            **(env or os.environ),
            "_DOCKER_GRADE_COMPLETE": "bash_complete",
            "COMP_WORDS": " ".join(("docker-grade", *words)),
            "COMP_CWORD": str(len(words)),
        },
    )
    assert completed.returncode == 0, completed.stderr
    return [line.split(",", 1)[1] for line in completed.stdout.splitlines() if line]


def test_commands():
    assert {"check", "batch", "explain", "list", "schema"} <= set(complete(""))
    assert complete("ch") == ["check"]


def test_exercise_ids_in_course_order():
    offered = complete("check", "")
    assert offered[:2] == ["node-multistage", "two-containers-ping"]
    assert "custom-bridge" in offered and "volume-escalation" in offered
    assert complete("check", "cu") == ["custom-bridge"]


def test_an_exercise_already_named_is_not_offered_again():
    assert "custom-bridge" not in complete("check", "custom-bridge", "")


def test_set_names_of_the_exercises_named():
    assert complete("check", "custom-bridge", "--set", "sub") == ["subnet="]
    assert complete("check", "custom-bridge", "--set", "custom-bridge.") == [
        "custom-bridge.network=",
        "custom-bridge.subnet=",
        "custom-bridge.image=",
    ]


def test_set_names_of_every_exercise_when_none_is_named():
    offered = complete("check", "--set", "")
    assert "subnet=" in offered and "network-isolation.a=" in offered
    assert len(offered) == len(set(offered))  # a param shared by several exercises, once


def test_set_values_are_left_to_the_student():
    assert complete("check", "--set", "subnet=192") == []


def test_contexts(tmp_path):
    config = tmp_path / "docker-config"
    subprocess.run(
        ["docker", "context", "create", "colima", "--docker", "host=unix:///tmp/colima.sock"],
        check=True,
        capture_output=True,
        env={**os.environ, "DOCKER_CONFIG": str(config)},
    )
    env = {**os.environ, "DOCKER_CONFIG": str(config)}
    assert complete("check", "--context", "", env=env) == ["default", "colima"]
    assert complete("batch", "class.csv", "--out", "g", "--context", "co", env=env) == ["colima"]


@pytest.mark.parametrize(
    "shell, marker", [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files")]
)
def test_the_scripts_the_readme_sources(shell, marker):
    completed = subprocess.run(
        [EXECUTABLE],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "_DOCKER_GRADE_COMPLETE": f"{shell}_source"},
    )
    assert completed.returncode == 0 and marker in completed.stdout
    assert "_DOCKER_GRADE_COMPLETE" in completed.stdout
