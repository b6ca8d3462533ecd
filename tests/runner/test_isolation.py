"""The student's folder cannot change grading, and grading writes nothing into it."""

import os

from support.cli import all_passed, docker_grade, grade

HOSTILE_CONFTEST = """
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    raise SystemExit("a student's conftest ran inside the grader")

@pytest.fixture
def snapshot():
    raise RuntimeError("a student's fixture replaced the grader's")
"""


def _hostile_folder(tmp_path):
    (tmp_path / "conftest.py").write_text(HOSTILE_CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -x --collect-only -p no:python\n")
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '--co'\n")
    (tmp_path / "custom_bridge.py").write_text("raise ImportError('shadowed check module')\n")
    return sorted(p.name for p in tmp_path.iterdir())


def test_a_students_conftest_ini_and_modules_change_nothing_and_nothing_is_written(
    student, tmp_path, monkeypatch
):
    before = _hostile_folder(tmp_path)
    student.network("mybridge", subnet="192.168.0.0/24")
    student.container("busybox", network="mybridge")
    monkeypatch.setenv("PYTEST_ADDOPTS", "--collect-only")
    monkeypatch.setenv("PYTEST_PLUGINS", "no_such_plugin_module")

    run = grade("custom-bridge", cwd=tmp_path)

    assert run.statuses("custom-bridge") == all_passed(
        "network-exists",
        "network-driver",
        "network-subnet",
        "container-attached",
        "container-detached-tty",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no .pytest_cache, no pycache


def test_an_installed_pytest_plugin_is_not_loaded(student, tmp_path):
    # An "installed" plugin: a module and a dist-info with a pytest11 entry point, found on
    # PYTHONPATH as pip would have put them in site-packages.
    site = tmp_path / "site"
    (site / "hostile_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "hostile_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hostile-plugin\nVersion: 1.0\n"
    )
    (site / "hostile_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[pytest11]\nhostile = hostile_plugin\n"
    )
    (site / "hostile_plugin.py").write_text(
        "def pytest_collection_modifyitems(items):\n    items.clear()\n"
    )
    student.network("mybridge", subnet="192.168.0.0/24")
    env = {**os.environ, "PYTHONPATH": str(site)}

    run = docker_grade("check", "custom-bridge", "--format", "json", cwd=tmp_path, env=env)

    statuses = {c["id"]: c["status"] for c in run.report["exercises"][0]["checks"]}
    assert statuses["network-exists"] == "passed"  # the checks ran: nothing cleared them
    assert "no check function" not in run.stdout
