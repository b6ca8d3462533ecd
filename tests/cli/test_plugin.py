"""`docker-grade plugin install|uninstall`, and `docker grade` run by the real docker CLI."""

import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.cli.plugin import (
    MARKER,
    PluginCall,
    apply_global_options,
    plugin_file,
    split_plugin_call,
)
from grader.errors import UsageError
from support.cli import EXECUTABLE, docker_grade

# The module, not the click group of the same name that grader.cli exports.
plugin_module = importlib.import_module("grader.cli.plugin")

EXIT_USAGE = 2
SOLUTION_CHECKS = {
    "network-exists",
    "network-driver",
    "network-subnet",
    "container-attached",
    "container-detached-tty",
}


@pytest.fixture
def config(tmp_path):
    """A docker CLI config folder of the test's own (DOCKER_CONFIG)."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    return folder


def with_config(config, **extra) -> dict:
    return {**os.environ, "DOCKER_CONFIG": str(config), **extra}


def install(config, *options):
    return docker_grade("plugin", "install", *options, env=with_config(config))


def uninstall(config):
    return docker_grade("plugin", "uninstall", env=with_config(config))


def docker(config, *args, env=None, timeout=180):
    """The real docker CLI, with the test's config folder."""
    if shutil.which("docker") is None:
        pytest.fail("these tests need the docker CLI (scripts/engine.sh installs it)")
    return subprocess.run(
        ["docker", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def engine_host() -> str:
    """The engine the tests use, as a URL the docker CLI takes with -H."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def foreign_plugin(config) -> None:
    target = config / "cli-plugins" / "docker-grade"
    target.parent.mkdir(parents=True)
    target.write_text("#!/bin/sh\necho someone else's\n")
    target.chmod(0o755)


# -- installing and removing -------------------------------------------------------------


def test_install_writes_an_executable_that_answers_the_metadata(config):
    run = install(config)

    target = config / "cli-plugins" / "docker-grade"
    assert run.exit_code == 0 and run.stdout.startswith(f"installed: {target}")
    assert os.access(target, os.X_OK) and MARKER in target.read_text()
    metadata = subprocess.run(
        [str(target), "docker-cli-plugin-metadata"], capture_output=True, text=True, cwd=config
    )
    assert metadata.returncode == 0 and metadata.stderr == ""
    assert json.loads(metadata.stdout) == {
        "SchemaVersion": "0.1.0",
        "Vendor": "docker-grade",
        "Version": docker_grade("--version").stdout.split()[-1],
        "ShortDescription": "Grade the Docker course's exercises",
    }


def test_the_installed_file_runs_this_installation_by_its_absolute_path(config):
    run = install(config)

    second_line = (config / "cli-plugins" / "docker-grade").read_text().splitlines()[1]
    interpreter = Path(second_line.split()[1])  # '''exec' /abs/python "$0" "$@"
    assert interpreter.is_absolute() and os.access(interpreter, os.X_OK)
    assert interpreter.parent == Path(EXECUTABLE).parent  # the environment of this docker-grade
    assert str(interpreter) in run.stdout


def test_install_twice_says_where_and_changes_nothing(config):
    install(config)
    target = config / "cli-plugins" / "docker-grade"
    before = target.stat()

    run = install(config)

    assert run.exit_code == 0 and run.stdout.strip() == f"already installed: {target}"
    assert target.stat().st_mtime_ns == before.st_mtime_ns


def test_an_older_file_of_ours_is_updated(config):
    install(config)
    target = config / "cli-plugins" / "docker-grade"
    target.write_text(target.read_text().replace("import sys", "import sys  # older"))

    run = install(config)

    assert run.exit_code == 0 and run.stdout.startswith(f"updated: {target}")
    assert "older" not in target.read_text()


def test_a_foreign_file_is_never_overwritten_without_force(config):
    foreign_plugin(config)
    target = config / "cli-plugins" / "docker-grade"

    refused = install(config)

    assert refused.exit_code == EXIT_USAGE and "Traceback" not in refused.stderr
    assert refused.stderr.strip() == (
        f"docker-grade: {target} exists and was not written by "
        "docker-grade: `docker-grade plugin install --force` "
        "replaces it"
    )
    assert "someone else's" in target.read_text()

    forced = install(config, "--force")

    assert forced.exit_code == 0 and forced.stdout.startswith(f"replaced: {target}")
    assert MARKER in target.read_text()


def test_uninstall_removes_only_a_file_of_ours(config):
    foreign_plugin(config)
    target = config / "cli-plugins" / "docker-grade"

    refused = uninstall(config)

    assert refused.exit_code == EXIT_USAGE
    assert (
        refused.stderr.strip()
        == f"docker-grade: {target} was not written by docker-grade: left in place"
    )
    assert target.exists()

    install(config, "--force")
    removed = uninstall(config)

    assert removed.exit_code == 0 and removed.stdout.strip() == f"removed: {target}"
    assert not target.exists()
    again = uninstall(config)
    assert again.exit_code == 0 and again.stdout.strip() == f"not installed: no {target}"


def test_a_folder_in_the_way_is_one_line(config):
    (config / "cli-plugins" / "docker-grade").mkdir(parents=True)

    run = install(config)

    assert run.exit_code == EXIT_USAGE and "Traceback" not in run.stderr
    assert run.stderr.strip().endswith("cli-plugins/docker-grade is a folder")


def test_an_unwritable_folder_is_one_line(config):
    (config / "cli-plugins").write_text("a file where the folder should be")

    run = install(config)

    assert run.exit_code == EXIT_USAGE and "Traceback" not in run.stderr
    assert run.stderr.startswith("docker-grade: cannot write ")
    assert len(run.stderr.strip().splitlines()) == 1


def test_without_docker_config_the_folder_is_in_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert plugin_file({}) == tmp_path / ".docker" / "cli-plugins" / "docker-grade"
    assert plugin_file({"DOCKER_CONFIG": "/cfg"}) == Path("/cfg/cli-plugins/docker-grade")


def test_windows_is_refused_for_the_image(monkeypatch):
    monkeypatch.setattr(plugin_module, "_on_windows", lambda: True)

    with pytest.raises(UsageError, match=r"only \.exe plugins: use the grader's image"):
        plugin_file({})


# -- what the docker CLI passes: its global options, then `grade` ---------------------------


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["grade", "check", "custom-bridge"], PluginCall([], ["check", "custom-bridge"])),
        (
            ["--config", "/c", "-D", "grade", "--help"],
            PluginCall([("--config", "/c"), ("-D", None)], ["--help"]),
        ),
        (
            ["--context=grade", "-l", "debug", "grade", "list"],  # a context may be named grade
            PluginCall([("--context", "grade"), ("-l", "debug")], ["list"]),
        ),
        (["-c", "grade", "grade", "grade"], PluginCall([("-c", "grade")], ["grade"])),
        (
            ["-H", "tcp://h:2375", "--tlsverify", "grade"],
            PluginCall([("-H", "tcp://h:2375"), ("--tlsverify", None)], []),
        ),
    ],
)
def test_split_global_options_from_the_grader_arguments(argv, expected):
    assert split_plugin_call(argv) == expected


def test_no_plugin_command_is_a_usage_error():
    with pytest.raises(UsageError, match="did not name the plugin's command"):
        split_plugin_call(["--config", "/c"])


def test_context_option_wins_over_docker_host_as_in_the_docker_cli():
    environ = {"DOCKER_HOST": "tcp://elsewhere:2375"}
    apply_global_options([("--context", "colima"), ("--config", "/cfg")], environ)
    assert environ == {"DOCKER_CONTEXT": "colima", "DOCKER_CONFIG": "/cfg"}


def test_context_default_keeps_docker_host_as_in_the_docker_cli():
    environ = {"DOCKER_HOST": "tcp://lab:2375"}
    apply_global_options([("-c", "default")], environ)
    assert environ == {"DOCKER_HOST": "tcp://lab:2375", "DOCKER_CONTEXT": "default"}


def test_host_option_wins_over_the_environment():
    environ = {"DOCKER_HOST": "unix:///a.sock", "DOCKER_CONTEXT": "colima"}
    apply_global_options([("-H", "unix:///b.sock")], environ)
    assert environ["DOCKER_HOST"] == "unix:///b.sock"


def test_tls_options_become_the_certificate_folder(tmp_path):
    environ = {}
    apply_global_options(
        [
            ("--host", "tcp://h:2376"),
            ("--tlsverify", None),
            ("--tlscacert", f"{tmp_path}/ca.pem"),
            ("--tlscert", f"{tmp_path}/cert.pem"),
            ("--tlskey", f"{tmp_path}/key.pem"),
        ],
        environ,
    )
    assert environ == {
        "DOCKER_HOST": "tcp://h:2376",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(tmp_path),
    }


def test_tls_certificates_default_to_the_docker_config_folder():
    environ = {}
    apply_global_options([("--config", "/cfg"), ("--tlsverify", "true")], environ)
    assert environ["DOCKER_CERT_PATH"] == "/cfg" and environ["DOCKER_TLS_VERIFY"] == "1"
    unverified = {}
    apply_global_options([("--tlsverify", "false")], unverified)
    assert unverified == {}


def test_tls_files_of_other_names_are_refused(tmp_path):
    with pytest.raises(UsageError, match="ca.pem, cert.pem and key.pem"):
        apply_global_options([("--tlscacert", f"{tmp_path}/my-ca.crt")], {})
    with pytest.raises(UsageError, match="in one folder"):
        apply_global_options([("--tlscacert", "/a/ca.pem"), ("--tlscert", "/b/cert.pem")], {})


# -- the real docker CLI ----------------------------------------------------------------------


def test_docker_lists_and_runs_the_plugin_without_an_engine(config):
    install(config)
    no_engine = with_config(config, DOCKER_HOST="unix:///nonexistent/docker.sock")

    plugins = docker(config, "info", "--format", "{{json .ClientInfo.Plugins}}", env=no_engine)
    help_text = docker(config, "grade", "--help", env=no_engine)
    listing = docker(config, "grade", "list", "--format", "json", env=no_engine)
    top_help = docker(config, "--help", env=no_engine)

    grade = next(p for p in json.loads(plugins.stdout) if p["Name"] == "grade")
    assert grade["Vendor"] == "docker-grade" and grade["Path"].endswith("cli-plugins/docker-grade")
    assert "Err" not in grade
    assert help_text.returncode == 0 and help_text.stdout.startswith("Usage: docker grade ")
    assert listing.returncode == 0
    assert "custom-bridge" in {row["id"] for row in json.loads(listing.stdout)}
    assert any(line.split()[:1] == ["grade*"] for line in top_help.stdout.splitlines())


def test_docker_completes_the_plugin_arguments(config):
    install(config)

    exercises = docker(config, "__complete", "grade", "check", "custom-")
    commands = docker(config, "__complete", "grade", "")

    if exercises.stdout.strip() == ":0":  # a docker CLI that asks no plugin (20.10 does not)
        pytest.skip(
            f"this docker CLI does not delegate completion to plugins: "
            f"{docker(config, '--version').stdout.strip()}"
        )
    assert exercises.returncode == 0
    assert exercises.stdout.splitlines()[0].startswith("custom-bridge")
    assert exercises.stdout.splitlines()[-1] == ":4"
    assert {"check", "list", "explain"} <= {
        line.split("\t")[0] for line in commands.stdout.splitlines()
    }


def test_docker_grade_check_grades_the_engine_docker_uses(config, student):
    student.network("mybridge", subnet="192.168.0.0/24")
    student.container("busybox", network="mybridge")
    install(config)

    run = docker(config, "grade", "check", "custom-bridge", "--format", "json")

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    [exercise] = report["exercises"]
    assert {c["id"]: c["status"] for c in exercise["checks"]} == dict.fromkeys(
        SOLUTION_CHECKS, "passed"
    )


def test_docker_global_options_choose_the_engine(config, student):
    student.network("mybridge", subnet="192.168.0.0/16")
    install(config)
    nowhere = with_config(config, DOCKER_HOST="unix:///nonexistent/docker.sock")
    created = docker(config, "context", "create", "course", "--docker", f"host={engine_host()}")
    assert created.returncode == 0, created.stderr

    refused = docker(config, "grade", "check", "custom-bridge", env=nowhere)
    by_host = docker(
        config,
        "-H",
        engine_host(),
        "grade",
        "check",
        "custom-bridge",
        "--format",
        "json",
        env=nowhere,
    )
    by_context = docker(
        config,
        "--context",
        "course",
        "grade",
        "check",
        "custom-bridge",
        "--format",
        "json",
        env=nowhere,
    )

    assert refused.returncode == 3 and "nonexistent/docker.sock" in refused.stderr
    assert "Traceback" not in refused.stderr
    for run in (by_host, by_context):
        assert run.returncode == 1, run.stderr  # the /16 subnet fails network-subnet
        [exercise] = json.loads(run.stdout)["exercises"]
        statuses = {c["id"]: c["status"] for c in exercise["checks"]}
        assert statuses["network-exists"] == "passed" and statuses["network-subnet"] == "failed"
