"""Selecting exercises and applying ``--set``."""

import pytest

from grader.errors import UsageError
from grader.spec.catalog import Catalog


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def test_no_exercise_named_selects_them_all(catalog):
    assert [a.spec.id for a in catalog.assign([], [])] == [e.id for e in catalog.exercises]


def test_defaults_come_from_the_rubric(catalog):
    (bridge,) = catalog.assign(["custom-bridge"], [])
    assert bridge.params == {"network": "mybridge", "subnet": "192.168.0.0/24", "image": "busybox"}
    (isolation,) = catalog.assign(["network-isolation"], [])
    assert isolation.params == {"a": None, "b": None, "net_a": None, "net_b": None}


def test_a_plain_setting_applies_to_every_exercise_with_that_param(catalog):
    bridge, nginx = catalog.assign(["custom-bridge", "nginx-ro-volume"], ["image=mine"])
    assert bridge.params["image"] == nginx.params["image"] == "mine"


def test_a_scoped_setting_applies_to_one_exercise(catalog):
    bridge, nginx = catalog.assign(
        ["custom-bridge", "nginx-ro-volume"], ["nginx-ro-volume.image=nginx2"]
    )
    assert (bridge.params["image"], nginx.params["image"]) == ("busybox", "nginx2")


def test_values_are_parsed_by_type(catalog):
    (bridge,) = catalog.assign(["custom-bridge"], ["subnet=10.1.0.0/16"])
    assert bridge.params["subnet"] == "10.1.0.0/16"
    with pytest.raises(UsageError, match="not a subnet"):
        catalog.assign(["custom-bridge"], ["subnet=10.1.0.1/16"])  # host bits set


def test_a_value_may_contain_equal_signs(catalog):
    (nginx,) = catalog.assign(["nginx-ro-volume"], ["container=a=b"])
    assert nginx.params["container"] == "a=b"


def test_selecting_twice_grades_once(catalog):
    assert len(catalog.assign(["custom-bridge", "custom-bridge"], [])) == 1
