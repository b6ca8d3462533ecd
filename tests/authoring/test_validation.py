"""docker-grade validate: every problem of a pack as file:line, without an engine."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from grader.authoring.validation import validate_pack
from grader.resources import builtin_pack_dir
from grader.spec.packs import Pack
from support.cli import docker_grade

SPEC = """\
id: vol
number: 9
title: {en: "A volume", fr: "Un volume"}
statement: {en: "docker volume create {volume}", fr: "docker volume create {volume}"}
params:
  - name: volume
    type: str
    default: data
    description: {en: the volume, fr: le volume}
checks:
  - id: volume-exists
    weight: 1
    title: {en: exists, fr: existe}
    hint: {en: create it, fr: créez-le}
  - id: volume-kept
    weight: 1
    requires: [volume-exists]
    title: {en: kept, fr: gardé}
    hint: {en: keep it, fr: gardez-le}
"""

MODULE = """\
from grader.kit import check, fixture


@fixture
def volume(snapshot, params):
    return snapshot.volume(params["volume"])


@check("volume-exists")
def exists(volume, verdict):
    pass


@check("volume-kept")
def kept(volume, verdict):
    pass
"""


def _pack(tmp_path: Path, spec: str = SPEC, module: str = MODULE) -> Pack:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "checks").mkdir()
    (tmp_path / "exercises" / "vol.yaml").write_text(spec)
    (tmp_path / "checks" / "vol.py").write_text(module)
    return Pack(tmp_path, str(tmp_path))


def _errors(pack: Pack) -> list[str]:
    return [str(p) for p in validate_pack(pack) if not p.warning]


def test_a_valid_pack_has_no_error_and_warns_of_its_missing_solution(tmp_path):
    problems = validate_pack(_pack(tmp_path))
    assert [p.warning for p in problems] == [True]
    assert "solutions/vol/solution.sh" in problems[0].message


def test_the_built_in_pack_is_valid():
    assert validate_pack(Pack(builtin_pack_dir(), "built-in")) == []


def test_a_spec_check_without_function_and_a_function_without_spec_check(tmp_path):
    module = MODULE.replace('@check("volume-kept")', '@check("volume-kep")')
    errors = _errors(_pack(tmp_path, module=module))
    spec, checks = tmp_path / "exercises" / "vol.yaml", tmp_path / "checks" / "vol.py"
    assert f"{spec}:15: check 'volume-kept' has no function: add @check('volume-kept')" in errors[1]
    assert errors[0].startswith(f"{checks}:14: @check('volume-kep'): the spec lists no such check")
    assert len(errors) == 2


def test_a_fixture_that_does_not_exist(tmp_path):
    errors = _errors(
        _pack(
            tmp_path,
            module=MODULE.replace("def kept(volume, verdict)", "def kept(volume, verdikt)"),
        )
    )
    assert errors == [
        f"{tmp_path}/checks/vol.py:14: @check('volume-kept') asks for a fixture "
        "'verdikt' that does not exist (the kit's: snapshot, probes, params, lang, "
        "verdict, or the module's own @fixture)"
    ]


def test_requires_unknown_or_later_check(tmp_path):
    unknown = _errors(
        _pack(tmp_path, spec=SPEC.replace("requires: [volume-exists]", "requires: [volume-exist]"))
    )
    assert "vol.yaml:11: field 'checks'" in unknown[0]
    assert "requires 'volume-exist', which is not a check of this exercise" in unknown[0]
    cycle = SPEC.replace(
        "    title: {en: exists", "    requires: [volume-kept]\n    title: {en: exists"
    )
    shutil.rmtree(tmp_path / "exercises")
    shutil.rmtree(tmp_path / "checks")
    later = _errors(_pack(tmp_path, spec=cycle))
    assert "requires 'volume-kept', which is listed after it" in later[0]


def test_blank_text_and_unknown_placeholder_are_reported_together(tmp_path):
    spec = SPEC.replace('fr: "docker volume create {volume}"', 'fr: ""').replace(
        "hint: {en: keep it", 'hint: {en: "keep {name}"'
    )
    errors = _errors(_pack(tmp_path, spec=spec))
    assert "empty text(s): statement.fr" in errors[0] and "unknown placeholder(s) name" in errors[0]


def test_a_module_that_does_not_load_and_a_module_without_spec(tmp_path):
    pack = _pack(tmp_path, module="import not_a_module\n")
    (tmp_path / "checks" / "orphan.py").write_text("")
    errors = _errors(pack)
    assert (
        f"{tmp_path}/checks/orphan.py:1: no exercises/orphan.yaml for this check module" in errors
    )
    assert (
        f"{tmp_path}/checks/vol.py:1: the module does not load: ModuleNotFoundError: No module "
        "named 'not_a_module'"
    ) in errors


def test_a_second_function_for_one_check(tmp_path):
    module = MODULE + textwrap.dedent("""

        @check("volume-kept")
        def kept_again(verdict):
            pass
        """)
    errors = _errors(_pack(tmp_path, module=module))
    assert errors == [
        f"{tmp_path}/checks/vol.py:19: a second function for "
        "@check('volume-kept') (the first is on line 14)"
    ]


def test_a_mistake_expecting_an_unknown_check_or_status(tmp_path):
    pack = _pack(tmp_path)
    mistakes = tmp_path / "solutions" / "vol" / "mistakes"
    mistakes.mkdir(parents=True)
    (tmp_path / "solutions" / "vol" / "solution.sh").write_text("true\n")
    (mistakes / "typo.sh").write_text("# expect: volume-gone: failed\n")
    assert _errors(pack) == [
        f"{mistakes}/typo.sh:1: expects check 'volume-gone', which exercise 'vol' does not have"
    ]
    (mistakes / "typo.sh").write_text("# expect: volume-kept: pased\n")
    assert "unknown status 'pased'" in _errors(pack)[0]


def test_cli_exit_codes(tmp_path):
    good = (
        docker_grade("validate", str(_pack(tmp_path / "good").root))
        if ((tmp_path / "good").mkdir() or True)
        else None
    )
    assert good.exit_code == 0, good.stderr
    (tmp_path / "bad").mkdir()
    _pack(tmp_path / "bad", module="import not_a_module\n")
    bad = docker_grade("validate", str(tmp_path / "bad"))
    assert bad.exit_code == 2 and "does not load" in bad.stdout and "Traceback" not in bad.stderr
    not_a_pack = docker_grade("validate", str(tmp_path))
    assert not_a_pack.exit_code == 2 and "not an exercise pack" in not_a_pack.stderr
