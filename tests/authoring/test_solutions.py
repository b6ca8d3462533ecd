"""Mistake headers (pure logic: no engine)."""

import pytest

from grader.authoring.solutions import ScriptError, read_mistake


def test_a_mistake_of_some_engines_only_says_which(tmp_path):
    script = tmp_path / "course-copy-bug.sh"
    script.write_text("#!/bin/sh\n# engines: docker\n# expect: image-built: failed\n")

    mistake = read_mistake(script)

    assert mistake.engines == ("docker",) and mistake.expected["image-built"].value == "failed"


def test_a_mistake_without_engines_is_one_everywhere(tmp_path):
    script = tmp_path / "subnet-16.sh"
    script.write_text("# expect: network-subnet: failed\n")
    assert read_mistake(script).engines == ()


def test_an_unknown_engine_is_refused_with_its_line(tmp_path):
    script = tmp_path / "m.sh"
    script.write_text("#!/bin/sh\n# engines: containerd\n# expect: network-subnet: failed\n")
    with pytest.raises(ScriptError, match=r"m\.sh:2: unknown engine 'containerd'"):
        read_mistake(script)
