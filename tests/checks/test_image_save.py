"""image-save on a real engine: archives written by `docker save` itself, then spoiled."""

import subprocess

import pytest

from support.archives import classic_layer, classic_to_oci, replace_member
from support.cli import all_passed, grade

EXERCISE = "image-save"
CHECKS = ("archive-exists", "archive-valid", "archive-tagged", "archive-matches-image")


def docker_save(folder, *images, name="myimage.tar"):
    """docker save -o myimage.tar IMAGE..., as the student types it."""
    subprocess.run(["docker", "save", "-o", str(folder / name), *images], check=True, timeout=120)
    return folder / name


@pytest.fixture
def mine_node(student, node_images):
    student.tag(node_images["good"], "mine/node")


def test_course_solution_gets_full_score(student, mine_node, tmp_path):
    docker_save(tmp_path, "mine/node")

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.exit_code == 0
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "archive-valid")["evidence"]["layout"] == "docker"


@pytest.mark.parametrize("gzip_layers", [False, True], ids=["plain-layers", "gzip-layers"])
def test_an_oci_layout_archive_gets_full_score(student, mine_node, tmp_path, gzip_layers):
    classic = docker_save(tmp_path, "mine/node", name="classic.tar")
    classic_to_oci(
        classic, tmp_path / "myimage.tar", gzip_layers
    )  # what podman, skopeo and Docker 25+ write

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    assert run.check(EXERCISE, "archive-valid")["evidence"]["layout"] == "oci"


def test_an_archive_of_another_image(student, mine_node, tmp_path):
    docker_save(tmp_path, "busybox")

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {
        **all_passed("archive-exists", "archive-valid"),
        "archive-tagged": "failed",
        "archive-matches-image": "failed",
    }


def test_an_archive_made_before_the_image_was_rebuilt(student, mine_node, node_images, tmp_path):
    docker_save(tmp_path, "mine/node")
    student.tag(node_images["root"], "mine/node")  # rebuilt since: another image, same name

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS[:3]), "archive-matches-image": "failed"}
    assert "layers" in run.check(EXERCISE, "archive-matches-image")["message"]


def test_a_truncated_archive(student, mine_node, tmp_path):
    archive = docker_save(tmp_path, "mine/node")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])  # a copy cut short

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {
        "archive-exists": "passed",
        "archive-valid": "failed",
        "archive-tagged": "skipped",
        "archive-matches-image": "failed",
    }
    assert "truncated" in run.check(EXERCISE, "archive-valid")["message"]


def test_a_copy_with_one_layer_emptied(student, mine_node, tmp_path):
    saved = docker_save(tmp_path, "mine/node", name="saved.tar")
    named, holder = classic_layer(saved, 2)
    # Same names, manifest and config untouched: only the layer's bytes are gone.
    replace_member(saved, tmp_path / "myimage.tar", holder, b"")

    run = grade(EXERCISE, cwd=tmp_path)

    # The config still claims the image's diff ids: only the hashed content tells.
    assert run.statuses(EXERCISE) == {
        "archive-exists": "passed",
        "archive-valid": "failed",
        "archive-tagged": "skipped",
        "archive-matches-image": "failed",
    }
    assert (
        "3 layers, 2 of them in common" in run.check(EXERCISE, "archive-matches-image")["message"]
    )
    message = run.check(EXERCISE, "archive-valid")["message"]
    assert f"layer 2 ({named}) of mine/node:latest: expected sha256:" in message
    assert "found sha256:e3b0c44298fc… (empty)" in message


def test_saved_by_image_id_has_no_tag(student, mine_node, node_images, docker_client, tmp_path):
    docker_save(tmp_path, docker_client.images.get("mine/node").id)

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "archive-tagged": "failed"}


def test_not_a_tar_file(student, tmp_path):
    (tmp_path / "myimage.tar").write_text("docker save -o myimage.tar mine/node\n")

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {
        "archive-exists": "failed",
        "archive-valid": "skipped",
        "archive-tagged": "skipped",
        "archive-matches-image": "skipped",
    }


def test_no_archive_in_the_folder(student, tmp_path):
    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE)["archive-exists"] == "failed"
    assert str(tmp_path / "myimage.tar") in run.check(EXERCISE, "archive-exists")["message"]


def test_archive_param_and_no_local_image(student, node_images, tmp_path):
    docker_save(tmp_path, node_images["good"], name="export.tar")

    run = grade(EXERCISE, cwd=tmp_path, settings=("archive=export.tar",))

    # No mine/node image on the engine: nothing to compare with, so the grader cannot decide.
    assert run.statuses(EXERCISE) == {
        **all_passed("archive-exists", "archive-valid"),
        "archive-tagged": "failed",
        "archive-matches-image": "error",
    }


def test_saved_by_id_beside_another_image(student, mine_node, docker_client, tmp_path):
    docker_save(tmp_path, docker_client.images.get("mine/node").id, "busybox")

    run = grade(EXERCISE, cwd=tmp_path)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "archive-tagged": "failed"}
