"""Exercise packs: found in order (built-in, pip entry points, DOCKER_GRADE_EXERCISES,
--exercises); a later pack's exercise replaces an earlier one of the same id."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from grader.errors import UsageError
from grader.spec import packs as packs_module
from grader.spec.catalog import Catalog
from grader.spec.packs import BUILTIN, ENTRY_POINT_GROUP, packs
from support.cli import docker_grade

SPEC = """\
id: {id}
number: {number}
title: {{en: "{title}", fr: "{title}"}}
statement: {{en: "do it", fr: "faites-le"}}
checks:
  - id: done
    weight: 1
    title: {{en: done, fr: fait}}
    hint: {{en: do it, fr: faites-le}}
"""


def _pack(folder, exercise_id="notes", number=9, title="Notes"):
    (folder / "exercises").mkdir(parents=True)
    (folder / "checks").mkdir()
    (folder / "exercises" / f"{exercise_id}.yaml").write_text(
        SPEC.format(id=exercise_id, number=number, title=title)
    )
    return folder


def test_order_and_override(tmp_path, monkeypatch):
    first, second = _pack(tmp_path / "a"), _pack(tmp_path / "b", "custom-bridge", 4, "Mine")
    monkeypatch.setenv("DOCKER_GRADE_EXERCISES", str(first))
    catalog = Catalog.load([second])
    assert [p.origin for p in packs([second])] == [BUILTIN, str(first), str(second)]
    assert catalog.get("custom-bridge").title.en == "Mine"
    assert catalog.pack_of("custom-bridge").root == second
    assert catalog.pack_of("notes").root == first
    assert catalog.pack_of("image-save").origin == BUILTIN


def test_a_folder_that_is_not_a_pack_is_refused(tmp_path):
    with pytest.raises(UsageError, match="not an exercise pack"):
        Catalog.load([tmp_path])


def test_a_pip_installed_pack_is_found_by_its_entry_point(tmp_path, monkeypatch):
    package = _pack(tmp_path / "site" / "course_pack", "pip-notes", 12, "From pip")
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    entry = metadata.EntryPoint(name="course", value="course_pack", group=ENTRY_POINT_GROUP)
    monkeypatch.setattr(
        packs_module.metadata,
        "entry_points",
        lambda group: [entry] if group == ENTRY_POINT_GROUP else [],
    )
    try:
        catalog = Catalog.load()
        assert catalog.get("pip-notes").title.en == "From pip"
        assert catalog.pack_of("pip-notes").origin == "pip: course"
    finally:
        sys.modules.pop("course_pack", None)


def test_a_pip_pack_that_does_not_load_is_left_out_with_a_warning(monkeypatch, caplog):
    entry = metadata.EntryPoint(name="broken", value="no_such_pack_module", group=ENTRY_POINT_GROUP)
    monkeypatch.setattr(packs_module.metadata, "entry_points", lambda group: [entry])
    catalog = Catalog.load()
    assert catalog.get("custom-bridge")
    assert "'broken' (no_such_pack_module) cannot be loaded" in caplog.text


def test_list_says_where_each_exercise_comes_from(tmp_path):
    pack = _pack(tmp_path / "pack")
    run = docker_grade("list", "--exercises", str(pack))
    assert run.exit_code == 0, run.stderr
    assert "9. notes" in run.stdout and f"[{pack}]" in run.stdout
    assert "[" not in run.stdout.splitlines()[0]  # built-in: no origin shown


def test_a_namespace_package_pack_is_found(tmp_path, monkeypatch):
    """A pip pack folder without __init__.py (no __file__) is found by its __path__."""
    _pack(tmp_path / "site" / "ns_pack", "ns-notes", 13, "Namespace")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    entry = metadata.EntryPoint(name="ns", value="ns_pack", group=ENTRY_POINT_GROUP)
    monkeypatch.setattr(packs_module.metadata, "entry_points", lambda group: [entry])
    try:
        assert Catalog.load().get("ns-notes").title.en == "Namespace"
    finally:
        sys.modules.pop("ns_pack", None)


def test_an_id_that_names_a_python_module_is_refused(tmp_path):
    """pytest would import the standard module in place of the check module."""
    pack = _pack(tmp_path / "pack", "secrets", 9, "Secrets")
    catalog = Catalog.load([pack], quiet=True)
    assert "'secrets' is the name of a Python module" in catalog.broken["secrets"]
    run = docker_grade("new", "logging", "--dir", str(tmp_path / "new"))
    assert run.exit_code == 2 and "name of a Python module" in run.stderr
    assert not (tmp_path / "new").exists()
