"""Spec files: the bundled ones load; a broken one names its file, line and field."""

import pytest

from grader.errors import SpecError
from grader.spec.catalog import Catalog
from grader.spec.loader import load_exercise

VALID = """\
id: demo
number: 1
title: {en: Demo, fr: Démo}
statement: {en: Do it, fr: Faites-le}
params:
  - name: network
    type: str
    default: mybridge
    description: {en: a network, fr: un réseau}
checks:
  - id: first
    weight: 1
    title: {en: first, fr: premier}
    hint: {en: fix it, fr: corrigez}
  - id: second
    weight: 2
    requires: [first]
    title: {en: second, fr: second}
    hint: {en: fix it, fr: corrigez}
"""


def write(tmp_path, text, name="demo.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_bundled_specs_load_in_course_order():
    catalog = Catalog.load()
    assert [e.number for e in catalog.exercises] == sorted(e.number for e in catalog.exercises)
    assert {"custom-bridge", "network-isolation", "nginx-ro-volume"} <= {
        e.id for e in catalog.exercises
    }


def test_a_valid_spec(tmp_path):
    spec = load_exercise(write(tmp_path, VALID))
    assert spec.max_score == 3.0 and spec.check("second").requires == ("first",)


@pytest.mark.parametrize(
    "old, new, line, field, reason",
    [
        ("weight: 2", "weight: zero", 16, "checks.1.weight", "valid number"),
        (
            "    type: str\n",
            "    type: strng\n",
            7,
            "params.0.type",
            "does not match any of the expected tags",
        ),
        ("requires: [first]", "requires: [third]", 11, "checks", "requires 'third'"),
        ("number: 1", "number: 1\ncolour: red", 3, "colour", "Extra inputs are not permitted"),
        ("  - id: second", "  - id: Second!", 15, "checks.1.id", "should match pattern"),
        (
            "hint: {en: fix it, fr: corrigez}\n  - id: second",
            "hint: {en: 'fix {netwrk}', fr: corrigez}\n  - id: second",
            1,
            "(top level)",
            "unknown placeholder(s) netwrk (params: network)",
        ),
        (
            "    hint: {en: fix it, fr: corrigez}\n  - id: second",
            "    hint: {en: fix it}\n  - id: second",
            14,
            "checks.0.hint.fr",
            "Field required",
        ),
    ],
)
def test_a_broken_spec_names_file_line_and_field(tmp_path, old, new, line, field, reason):
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(SpecError) as raised:
        load_exercise(path)
    message = raised.value.message
    assert message.startswith(f"{path}:{line}: field '{field}'"), message
    assert reason in message


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, VALID.replace("weight: 2", "weight: [2"))
    with pytest.raises(SpecError, match=rf"^{path}:\d+: not valid YAML"):
        load_exercise(path)


def test_the_id_must_match_the_file_name(tmp_path):
    with pytest.raises(SpecError, match="must match the file name 'other'"):
        load_exercise(write(tmp_path, VALID, name="other.yaml"))


def test_placeholders_are_filled_with_the_params(tmp_path):
    spec = load_exercise(
        write(
            tmp_path,
            VALID.replace(
                "hint: {en: fix it, fr: corrigez}\n  - id: second",
                "hint: {en: 'create {network}', fr: 'créez {network}'}\n  - id: second",
            ),
        )
    )
    assert spec.check("first").hint.fill({"network": "labnet"}).fr == "créez labnet"
    assert spec.check("first").hint.fill(spec.defaults).en == "create mybridge"
