"""grader.artifacts.archive: both layouts of a ``docker save`` archive, read as one stream.

Synthetic archives built with tarfile pin the exact results; the engine tests read what
``docker save`` really writes (the classic layout on Docker 20.10) and an OCI layout made of
its real blobs; the memory tests read a 300 MB archive and hash a 50 MB layer under tracemalloc.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import subprocess
import tarfile
import time
import tracemalloc
import uuid
from pathlib import Path

import pytest

from grader.artifacts.archive import (
    EMPTY_DIGEST,
    ArchiveContents,
    ArchivedImage,
    ArchiveError,
    CorruptLayer,
    is_tar,
    read_archive,
)
from support.archives import (
    CONTAINERD_NAME,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    REF_NAME,
    Content,
    Zeros,
    blob,
    classic_to_oci,
    descriptor,
    digest,
    gzipped,
    gzipped_zeros,
    js,
    layer_tar,
    oci_manifest,
    oci_members,
    sha,
    write_tar,
    zeros_digest,
)

TEST_LABEL = "docker-grade.test"


# --- building archives --------------------------------------------------------------------


def config(*diff_ids: str) -> bytes:
    return js(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["sh"]},
            "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        }
    )


LAYER_A = layer_tar({"bin/a": b"a" * 100})
LAYER_B = layer_tar({"etc/b": b"b" * 3000})
DIFF_A, DIFF_B = digest(LAYER_A), digest(LAYER_B)
HEX_A, HEX_B = sha(LAYER_A), sha(LAYER_B)
CONFIG_A = config(DIFF_A)
CONFIG_AB = config(DIFF_A, DIFF_B)


def classic_members() -> list[tuple[str, Content]]:
    """What ``docker save busybox mine/node`` writes on Docker 20-24, configs first."""
    return [
        (f"{sha(CONFIG_A)}.json", CONFIG_A),
        (f"{sha(CONFIG_AB)}.json", CONFIG_AB),
        ("aaa/", None),
        ("aaa/VERSION", b"1.0"),
        ("aaa/json", js({"id": "aaa"})),
        ("aaa/layer.tar", LAYER_A),
        ("bbb/", None),
        ("bbb/VERSION", b"1.0"),
        ("bbb/json", js({"id": "bbb", "parent": "aaa"})),
        ("bbb/layer.tar", LAYER_B),
        (
            "manifest.json",
            js(
                [
                    {
                        "Config": f"{sha(CONFIG_A)}.json",
                        "RepoTags": ["busybox:latest", "docker.io/library/busybox:1.36"],
                        "Layers": ["aaa/layer.tar"],
                    },
                    {
                        "Config": f"{sha(CONFIG_AB)}.json",
                        "RepoTags": ["docker.io/mine/node:latest", "localhost:5000/mine/node:v1"],
                        "Layers": ["aaa/layer.tar", "bbb/layer.tar"],
                    },
                ]
            ),
        ),
        ("repositories", js({"busybox": {"latest": "aaa"}, "mine/node": {"latest": "bbb"}})),
    ]


def intact(
    tags: tuple[str, ...], diff_ids: tuple[str, ...], layers: tuple[str, ...]
) -> ArchivedImage:
    """An image whose layers are all there and hash to its config's diff ids."""
    return ArchivedImage(
        tags=tags,
        diff_ids=diff_ids,
        layers=layers,
        missing_layers=(),
        config_missing=False,
        layer_digests=diff_ids,
        corrupt_layers=(),
    )


CLASSIC_CONTENTS = ArchiveContents(
    layout="docker",
    images=(
        intact(("busybox:latest", "busybox:1.36"), (DIFF_A,), ("aaa/layer.tar",)),
        intact(
            ("mine/node:latest", "localhost:5000/mine/node:v1"),
            (DIFF_A, DIFF_B),
            ("aaa/layer.tar", "bbb/layer.tar"),
        ),
    ),
    member_count=12,
)


# --- the classic Docker layout -------------------------------------------------------------


def test_classic_layout_reads_tags_diff_ids_and_layers(tmp_path: Path) -> None:
    contents = read_archive(write_tar(tmp_path / "images.tar", classic_members()))

    assert contents == CLASSIC_CONTENTS


def test_tagged_normalizes_the_reference(tmp_path: Path) -> None:
    contents = read_archive(write_tar(tmp_path / "images.tar", classic_members()))
    busybox, node = contents.images

    assert contents.tagged("busybox") is busybox
    assert contents.tagged("docker.io/library/busybox:1.36") is busybox
    assert contents.tagged("mine/node") is node
    assert contents.tagged("docker.io/mine/node:latest") is node
    assert contents.tagged("localhost:5000/mine/node:v1") is node
    assert contents.tagged("mine/node:v1") is None
    assert contents.tagged("nginx") is None


def test_classic_layout_reports_a_missing_layer_and_a_missing_config(tmp_path: Path) -> None:
    members = [
        (f"{sha(CONFIG_AB)}.json", CONFIG_AB),
        ("aaa/layer.tar", LAYER_A),
        (
            "manifest.json",
            js(
                [
                    {
                        "Config": f"{sha(CONFIG_AB)}.json",
                        "RepoTags": ["mine/node:latest"],
                        "Layers": ["aaa/layer.tar", "bbb/layer.tar"],
                    },
                    {"Config": f"{'f' * 64}.json", "RepoTags": None, "Layers": ["aaa/layer.tar"]},
                ]
            ),
        ),
    ]

    contents = read_archive(write_tar(tmp_path / "partial.tar", members))

    assert contents.images == (
        ArchivedImage(
            tags=("mine/node:latest",),
            diff_ids=(DIFF_A, DIFF_B),
            layers=("aaa/layer.tar", "bbb/layer.tar"),
            missing_layers=("bbb/layer.tar",),
            config_missing=False,
            layer_digests=(DIFF_A, None),
            corrupt_layers=(),
        ),
        ArchivedImage(
            tags=(),
            diff_ids=(),
            layers=("aaa/layer.tar",),
            missing_layers=(),
            config_missing=True,
            layer_digests=(DIFF_A,),
            corrupt_layers=(),
        ),
    )


def test_layers_named_through_links_count_when_the_target_is_there(tmp_path: Path) -> None:
    members: list[tuple[str, Content]] = [
        ("blobs/sha256/", None),
        (blob(LAYER_A), LAYER_A),
        (blob(LAYER_B), LAYER_B),
        ("aaa/layer.tar", ("symlink", f"../blobs/sha256/{HEX_A}")),
        ("bbb/layer.tar", ("hardlink", f"blobs/sha256/{HEX_B}")),
        ("ccc/layer.tar", ("symlink", f"../blobs/sha256/{'0' * 64}")),  # dangling
        ("config.json", ("symlink", "cfg/real.json")),
        ("cfg/real.json", config(DIFF_A, DIFF_B, DIFF_A)),
        (
            "manifest.json",
            js(
                [
                    {
                        "Config": "config.json",
                        "RepoTags": ["links:1"],
                        "Layers": ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"],
                    }
                ]
            ),
        ),
    ]

    (image,) = read_archive(write_tar(tmp_path / "links.tar", members)).images

    assert image.diff_ids == (DIFF_A, DIFF_B, DIFF_A)
    assert image.missing_layers == ("ccc/layer.tar",)
    assert not image.config_missing
    assert image.layer_digests == (DIFF_A, DIFF_B, None)  # a link's content is its target's
    assert image.corrupt_layers == ()


@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
def test_compressed_archives_read_the_same(tmp_path: Path, compression: str) -> None:
    path = write_tar(tmp_path / f"images.tar.{compression}", classic_members(), compression)

    assert is_tar(path)
    assert read_archive(path) == CLASSIC_CONTENTS


# --- the OCI image layout ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotations", "tags"),
    [
        pytest.param(
            {CONTAINERD_NAME: "docker.io/mine/node:latest", REF_NAME: "latest"},
            ("mine/node:latest",),
            id="docker-25",
        ),
        pytest.param({REF_NAME: "docker.io/library/nginx:alpine"}, ("nginx:alpine",), id="podman"),
        pytest.param({REF_NAME: "v1"}, (), id="skopeo-bare-tag"),
        pytest.param({}, (), id="untagged"),
        pytest.param(
            {
                CONTAINERD_NAME: "docker.io/mine/node:latest",
                REF_NAME: "localhost:5000/mine/node:v2",
            },
            ("mine/node:latest", "localhost:5000/mine/node:v2"),
            id="both-full",
        ),
    ],
)
def test_oci_layout_reads_tags_from_annotations(
    tmp_path: Path, annotations: dict[str, str], tags: tuple[str, ...]
) -> None:
    manifest = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    index = [descriptor(OCI_MANIFEST, manifest, **annotations)]
    path = write_tar(
        tmp_path / "oci.tar", oci_members(index, manifest, CONFIG_AB, LAYER_A, LAYER_B)
    )

    contents = read_archive(path)

    assert contents == ArchiveContents(
        layout="oci",
        images=(intact(tags, (DIFF_A, DIFF_B), (blob(LAYER_A), blob(LAYER_B))),),
        member_count=8,
    )


@pytest.mark.parametrize("media_type", [OCI_MANIFEST, DOCKER_MANIFEST, None])
def test_oci_manifest_media_types(tmp_path: Path, media_type: str | None) -> None:
    manifest = oci_manifest(CONFIG_A, LAYER_A, media_type=media_type)
    entry = {
        "digest": digest(manifest),
        "size": len(manifest),
        "annotations": {CONTAINERD_NAME: "busybox:latest"},
    }
    if media_type is not None:
        entry["mediaType"] = media_type
    path = write_tar(tmp_path / "oci.tar", oci_members([entry], manifest, CONFIG_A, LAYER_A))

    (image,) = read_archive(path).images

    assert (image.tags, image.diff_ids, image.layers) == (
        ("busybox:latest",),
        (DIFF_A,),
        (blob(LAYER_A),),
    )


@pytest.mark.parametrize("depth", [1, 2])
def test_oci_nested_index_skips_absent_platforms_and_attestations(
    tmp_path: Path, depth: int
) -> None:
    amd64 = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    arm64 = oci_manifest(config(digest(b"arm")), layer_tar({"arm": b"arm"}))  # listed, not saved
    statement = js({"_type": "https://in-toto.io/Statement/v0.1"})
    attestation = oci_manifest(
        js({"architecture": "unknown", "os": "unknown", "rootfs": {"diff_ids": []}}), statement
    )
    inner = js(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    **descriptor(OCI_MANIFEST, amd64),
                    "platform": {"architecture": "amd64", "os": "linux"},
                },
                {
                    **descriptor(OCI_MANIFEST, arm64),
                    "platform": {"architecture": "arm64", "os": "linux"},
                },
                {
                    **descriptor(
                        OCI_MANIFEST,
                        attestation,
                        **{
                            "vnd.docker.reference.type": "attestation-manifest",
                            "vnd.docker.reference.digest": digest(amd64),
                        },
                    ),
                    "platform": {"architecture": "unknown", "os": "unknown"},
                },
            ],
        }
    )
    blobs = [inner, amd64, CONFIG_AB, LAYER_A, LAYER_B, attestation, statement]
    top = inner
    for _ in range(depth - 1):
        top = js(
            {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor(OCI_INDEX, top)]}
        )
        blobs.append(top)
    index = [
        descriptor(
            OCI_INDEX,
            top,
            **{CONTAINERD_NAME: "docker.io/library/nginx:alpine", REF_NAME: "alpine"},
        )
    ]

    contents = read_archive(write_tar(tmp_path / "multi.tar", oci_members(index, *blobs)))

    assert contents.layout == "oci"
    assert contents.images == (
        intact(("nginx:alpine",), (DIFF_A, DIFF_B), (blob(LAYER_A), blob(LAYER_B))),
    )


def test_oci_layout_reports_missing_blobs(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "mine/node:latest"})]
    without_config_and_b = oci_members(index, manifest, LAYER_A)

    (image,) = read_archive(write_tar(tmp_path / "partial.tar", without_config_and_b)).images

    assert image == ArchivedImage(
        tags=("mine/node:latest",),
        diff_ids=(),
        layers=(blob(LAYER_A), blob(LAYER_B)),
        missing_layers=(blob(LAYER_B),),
        config_missing=True,
        layer_digests=(DIFF_A, None),
        corrupt_layers=(),
    )


def test_oci_layout_with_dot_slash_names_like_tar_c_dir_dot(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_A, LAYER_A)
    index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "busybox:latest"})]
    members = [("./", None), *oci_members(index, manifest, CONFIG_A, LAYER_A, prefix="./")]

    contents = read_archive(write_tar(tmp_path / "dot.tar", members))

    assert contents.images == (intact(("busybox:latest",), (DIFF_A,), (blob(LAYER_A),)),)
    assert contents.member_count == 8


def test_oci_index_naming_an_absent_manifest_is_unreadable(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_A, LAYER_A)
    path = write_tar(
        tmp_path / "oci.tar", oci_members([descriptor(OCI_MANIFEST, manifest)], CONFIG_A, LAYER_A)
    )

    with pytest.raises(ArchiveError) as caught:
        read_archive(path)

    assert (
        str(caught.value)
        == f"unreadable archive: index.json names {blob(manifest)}, which is not in the archive"
    )


def test_docker_25_archive_with_both_descriptions_prefers_manifest_json(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    index = [
        descriptor(
            OCI_MANIFEST,
            manifest,
            **{CONTAINERD_NAME: "docker.io/from/index:json", REF_NAME: "json"},
        )
    ]
    members = oci_members(index, manifest, CONFIG_AB, LAYER_A, LAYER_B) + [
        (
            "manifest.json",
            js(
                [
                    {
                        "Config": blob(CONFIG_AB),
                        "RepoTags": ["from/manifest:json"],
                        "Layers": [blob(LAYER_A), blob(LAYER_B)],
                    }
                ]
            ),
        ),
        ("repositories", js({"from/manifest": {"json": HEX_B}})),
    ]

    contents = read_archive(write_tar(tmp_path / "docker25.tar", members))

    assert contents == ArchiveContents(
        layout="docker",
        images=(intact(("from/manifest:json",), (DIFF_A, DIFF_B), (blob(LAYER_A), blob(LAYER_B))),),
        member_count=10,
    )


# --- layer contents: what docker load checks -----------------------------------------------


ALTERED_B = LAYER_B[:700] + bytes([LAYER_B[700] ^ 0x01]) + LAYER_B[701:]  # one bit of etc/b
GZIP_B = gzipped(LAYER_B)


def replaced(
    members: list[tuple[str, Content]], replacements: dict[str, Content]
) -> list[tuple[str, Content]]:
    """The same members in the same order, some with other contents."""
    return [(name, replacements.get(name, content)) for name, content in members]


def oci_node(*layers: bytes, image_config: bytes = CONFIG_AB) -> list[tuple[str, Content]]:
    """mine/node as an OCI layout whose manifest names ``layers`` (each blob named after its
    bytes)."""
    manifest = oci_manifest(image_config, *layers)
    index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "docker.io/mine/node:latest"})]
    return oci_members(index, manifest, image_config, *layers)


def read_node(tmp_path: Path, members: list[tuple[str, Content]]) -> ArchivedImage:
    image = read_archive(write_tar(tmp_path / "node.tar", members)).tagged("mine/node")
    assert image is not None
    return image


def test_empty_layers_are_corrupt_though_the_manifest_and_config_are_right(tmp_path: Path) -> None:
    hand_made = replaced(classic_members(), {"aaa/layer.tar": b"", "bbb/layer.tar": b""})

    image = read_node(tmp_path, hand_made)

    assert image.diff_ids == (DIFF_A, DIFF_B) and image.missing_layers == ()
    assert image.layer_digests == (EMPTY_DIGEST, EMPTY_DIGEST)
    assert image.corrupt_layers == (
        CorruptLayer(1, "aaa/layer.tar", DIFF_A, EMPTY_DIGEST, "content"),
        CorruptLayer(2, "bbb/layer.tar", DIFF_B, EMPTY_DIGEST, "content"),
    )
    assert all(layer.empty for layer in image.corrupt_layers)


def test_one_altered_bit_makes_its_layer_corrupt(tmp_path: Path) -> None:
    contents = read_archive(
        write_tar(
            tmp_path / "images.tar", replaced(classic_members(), {"bbb/layer.tar": ALTERED_B})
        )
    )
    busybox, node = contents.images

    assert busybox.corrupt_layers == ()
    assert node.layer_digests == (DIFF_A, digest(ALTERED_B))
    assert node.corrupt_layers == (
        CorruptLayer(2, "bbb/layer.tar", DIFF_B, digest(ALTERED_B), "content"),
    )
    assert not node.corrupt_layers[0].empty


@pytest.mark.parametrize(
    "layer_b",
    [
        pytest.param(GZIP_B, id="one-gzip-member"),
        pytest.param(gzipped(LAYER_B[:1000]) + gzipped(LAYER_B[1000:]), id="concatenated-members"),
    ],
)
def test_a_gzip_compressed_oci_layer_hashes_to_its_diff_id_once_inflated(
    tmp_path: Path, layer_b: bytes
) -> None:
    image = read_node(tmp_path, oci_node(LAYER_A, layer_b))

    assert image.layers == (blob(LAYER_A), blob(layer_b))
    assert image.layer_digests == (DIFF_A, DIFF_B)
    assert image.corrupt_layers == ()


@pytest.mark.parametrize(
    ("layer_b", "found", "problem"),
    [
        pytest.param(gzipped(ALTERED_B), digest(ALTERED_B), "content", id="altered-then-gzipped"),
        pytest.param(GZIP_B[: len(GZIP_B) // 2], None, "gzip", id="cut-short"),
        pytest.param(
            GZIP_B[:-8] + bytes([GZIP_B[-8] ^ 0xFF]) + GZIP_B[-7:], None, "gzip", id="bad-crc"
        ),
        pytest.param(GZIP_B[:20] + bytes(64) + GZIP_B[84:], None, "gzip", id="zeroed-deflate-data"),
    ],
)
def test_a_corrupt_gzip_compressed_oci_layer(
    tmp_path: Path, layer_b: bytes, found: str | None, problem: str
) -> None:
    image = read_node(tmp_path, oci_node(LAYER_A, layer_b))  # each blob named after its own bytes

    assert image.missing_layers == ()
    assert image.layer_digests == (DIFF_A, found)
    assert image.corrupt_layers == (CorruptLayer(2, blob(layer_b), DIFF_B, found, problem),)


def test_a_blob_whose_bytes_are_not_its_name_is_corrupt_even_with_the_right_content(
    tmp_path: Path,
) -> None:
    recompressed = gzip.compress(LAYER_B, compresslevel=9, mtime=1)  # same tar, other bytes
    hand_made = replaced(oci_node(LAYER_A, GZIP_B), {blob(GZIP_B): recompressed})

    image = read_node(tmp_path, hand_made)

    assert image.layer_digests == (DIFF_A, DIFF_B)
    assert image.corrupt_layers == (
        CorruptLayer(2, blob(GZIP_B), digest(GZIP_B), digest(recompressed), "blob-name"),
    )


def test_a_symlinked_layer_is_its_target_content(tmp_path: Path) -> None:
    shared = replaced(classic_members(), {"bbb/layer.tar": ("symlink", "../aaa/layer.tar")})
    empty_target = shared + [("aaa/layer.tar", b"")]  # a later member of the same name wins

    assert read_node(tmp_path, shared).corrupt_layers == (
        CorruptLayer(2, "bbb/layer.tar", DIFF_B, DIFF_A, "content"),
    )
    assert read_node(tmp_path, empty_target).corrupt_layers == (
        CorruptLayer(1, "aaa/layer.tar", DIFF_A, EMPTY_DIGEST, "content"),
        CorruptLayer(2, "bbb/layer.tar", DIFF_B, EMPTY_DIGEST, "content"),
    )


@pytest.mark.parametrize("layout", ["docker", "oci"])
def test_layers_are_matched_whatever_the_member_order(tmp_path: Path, layout: str) -> None:
    members = classic_members() if layout == "docker" else oci_node(LAYER_A, GZIP_B)
    manifest_first = list(reversed(members))  # the layers now come after what names them

    assert read_node(tmp_path, manifest_first).layer_digests == (DIFF_A, DIFF_B)
    assert read_node(tmp_path, manifest_first).corrupt_layers == ()
    broken = replaced(manifest_first, {"bbb/layer.tar": b"", blob(GZIP_B): GZIP_B[:-1]})
    assert [layer.position for layer in read_node(tmp_path, broken).corrupt_layers] == [2]


@pytest.mark.parametrize(
    ("diff_ids", "layers", "corrupt"),
    [
        pytest.param(
            (DIFF_A, DIFF_B),
            ["aaa/layer.tar"],
            CorruptLayer(2, "", DIFF_B, None, "no-layer"),
            id="a-diff-id-without-layer",
        ),
        pytest.param(
            (DIFF_A,),
            ["aaa/layer.tar", "bbb/layer.tar"],
            CorruptLayer(2, "bbb/layer.tar", None, DIFF_B, "no-diff-id"),
            id="a-layer-without-diff-id",
        ),
    ],
)
def test_as_many_layers_as_diff_ids(
    tmp_path: Path, diff_ids: tuple[str, ...], layers: list[str], corrupt: CorruptLayer
) -> None:
    members = [
        ("c.json", config(*diff_ids)),
        ("aaa/layer.tar", LAYER_A),
        ("bbb/layer.tar", LAYER_B),
        ("manifest.json", js([{"Config": "c.json", "RepoTags": ["mine/node"], "Layers": layers}])),
    ]

    assert read_node(tmp_path, members).corrupt_layers == (corrupt,)


def test_a_layer_that_looks_like_json_is_hashed_too(tmp_path: Path) -> None:
    odd = b'{"not": "a tar"}'  # kept as a JSON member, and hashed like any other
    members = [
        ("c.json", config(digest(odd))),
        ("odd/layer.tar", odd),
        (
            "manifest.json",
            js([{"Config": "c.json", "RepoTags": ["mine/node"], "Layers": ["odd/layer.tar"]}]),
        ),
    ]

    assert read_node(tmp_path, members) == intact(
        ("mine/node:latest",), (digest(odd),), ("odd/layer.tar",)
    )


# --- what is not a readable image archive ---------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def _truncation_points(path: Path) -> dict[str, int]:
    with tarfile.open(path) as tar:
        members = {member.name: member for member in tar.getmembers()}
    layer, config_member, last = (
        members["aaa/layer.tar"],
        members["config.json"],
        members["manifest.json"],
    )
    return {
        "in-a-layer": layer.offset_data + layer.size // 2,
        "in-a-json-member": config_member.offset_data + 10,
        "in-a-header": last.offset + 100,
        "before-the-end-marker": last.offset_data + -(-last.size // 512) * 512,
    }


@pytest.fixture
def random_layer_archive(tmp_path: Path) -> Path:
    layer = layer_tar({"data": random.Random(0).randbytes(64 * 1024)})
    members = [
        ("config.json", config(digest(layer))),
        ("aaa/layer.tar", layer),
        (
            "manifest.json",
            js([{"Config": "config.json", "RepoTags": ["r:1"], "Layers": ["aaa/layer.tar"]}]),
        ),
    ]
    return write_tar(tmp_path / "whole.tar", members)


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ("in-a-layer", "truncated archive: it ends in the middle of aaa/layer.tar"),
        ("in-a-json-member", "truncated archive: it ends in the middle of config.json"),
        (
            "in-a-header",
            "truncated archive: it ends after aaa/layer.tar without the end-of-archive marker",
        ),
        (
            "before-the-end-marker",
            "truncated archive: it ends after manifest.json without the end-of-archive marker",
        ),
    ],
)
def test_truncated_archive(
    random_layer_archive: Path, tmp_path: Path, cut: str, message: str
) -> None:
    data = random_layer_archive.read_bytes()
    truncated = tmp_path / "cut.tar"
    truncated.write_bytes(data[: _truncation_points(random_layer_archive)[cut]])

    assert read_archive(random_layer_archive).images[0].tags == ("r:1",)
    assert _error(truncated) == message


@pytest.mark.parametrize("keep", [0.5, -4], ids=["half", "without-the-trailer"])
def test_truncated_gzip_archive(random_layer_archive: Path, tmp_path: Path, keep: float) -> None:
    compressed = gzip.compress(random_layer_archive.read_bytes())
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(
        compressed[: int(len(compressed) * keep)] if keep > 0 else compressed[: int(keep)]
    )

    assert _error(truncated).startswith("truncated archive: the compressed data stops short, ")


def test_gzip_archive_with_a_bad_crc(random_layer_archive: Path, tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(random_layer_archive.read_bytes()))
    compressed[-8] ^= 0xFF  # the CRC32 in the trailer
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(bytes(compressed))

    assert _error(corrupt).startswith("unreadable archive: CRC check failed")


def test_a_text_file_is_not_a_tar(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("FROM busybox\n" * 100)

    assert not is_tar(text)
    assert _error(text).startswith("not a tar archive: ")


def test_an_empty_file_is_not_a_tar(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tar"
    empty.write_bytes(b"")

    assert not is_tar(empty)
    assert _error(empty) == "not a tar archive: the file is empty"


def test_missing_path_and_directory(tmp_path: Path) -> None:
    assert not is_tar(tmp_path / "absent.tar")
    assert not is_tar(tmp_path)
    assert _error(tmp_path / "absent.tar") == "unreadable archive: No such file or directory"
    assert _error(tmp_path) == f"unreadable archive: {tmp_path} is a folder, not a regular file"


def test_a_tar_without_manifest_is_not_an_image_archive(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "site.tar", [("html/", None), ("html/index.html", b"<h1>hi</h1>")])

    assert is_tar(path)
    assert _error(path) == "no manifest.json or index.json: not an image archive"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b"\x00\x01 binary", "unreadable archive: manifest.json is not JSON"),
        (b'{"Config": ', "unreadable archive: manifest.json is not valid JSON ("),
        (js({"Config": "c.json"}), "unreadable archive: manifest.json is not a list of images"),
        (
            js([{"RepoTags": ["a:b"]}]),
            "unreadable archive: an image of manifest.json has no Config",
        ),
        (
            js([{"Config": "c.json", "RepoTags": "a:b"}]),
            "unreadable archive: RepoTags of manifest.json is not a list",
        ),
    ],
)
def test_a_broken_manifest_json_is_unreadable(
    tmp_path: Path, manifest: bytes, message: str
) -> None:
    path = write_tar(tmp_path / "broken.tar", [("c.json", CONFIG_A), ("manifest.json", manifest)])

    assert _error(path).startswith(message)


def test_a_config_larger_than_4_mib_is_not_read(tmp_path: Path) -> None:
    huge = b'{"rootfs": {"diff_ids": []}, "padding": "' + b"x" * (4 * 2**20) + b'"}'
    members = [("c.json", huge), ("manifest.json", js([{"Config": "c.json", "Layers": []}]))]

    assert (
        _error(write_tar(tmp_path / "huge.tar", members))
        == "unreadable archive: c.json is larger than 4 MiB"
    )


# --- a real engine --------------------------------------------------------------------------


def docker(
    *args: str, stdin: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(["docker", *args], input=stdin, capture_output=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"docker {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}"
        )
    return proc


def inspected_diff_ids(reference: str) -> tuple[str, ...]:
    return tuple(
        json.loads(docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", reference).stdout)
    )


@pytest.fixture(scope="module")
def engine() -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI on PATH")
    info = docker("info", "--format", "{{.ServerVersion}}", check=False)
    if info.returncode != 0:
        lines = info.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
        pytest.skip(f"docker info failed: {lines[-1]}")
    if docker("image", "inspect", "busybox:latest", check=False).returncode != 0:
        pytest.skip("no local busybox:latest image: run python tests/images/build.py")


@pytest.fixture(scope="module")
def saved(engine: None, tmp_path_factory: pytest.TempPathFactory):
    """``docker save busybox:latest <imported image>``: the path, and the imported image's tag."""
    tag = f"docker-grade-test/archive:{uuid.uuid4().hex[:12]}"
    directory = tmp_path_factory.mktemp("saved")
    try:
        docker(
            "image",
            "import",
            "--change",
            f"LABEL {TEST_LABEL}=1",
            "-",
            tag,
            stdin=layer_tar({"hello.txt": b"hello from docker-grade\n"}),
        )
        path = directory / "images.tar"
        docker("save", "-o", str(path), "busybox:latest", tag)
        yield path, tag
    finally:
        docker("image", "rm", "--force", tag, check=False)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.engine
def test_real_docker_save_archive(saved: tuple[Path, str]) -> None:
    path, tag = saved

    contents = read_archive(path)

    with tarfile.open(path) as tar:
        assert contents.member_count == len(tar.getmembers())
    assert contents.layout == "docker"  # a 20.10 engine writes only manifest.json
    busybox, imported = contents.tagged("busybox:latest"), contents.tagged(f"docker.io/{tag}")
    assert busybox is not None and imported is not None
    assert "busybox:latest" in busybox.tags and imported.tags == (tag,)
    assert busybox.diff_ids == inspected_diff_ids("busybox:latest")
    assert imported.diff_ids == inspected_diff_ids(tag)
    for image in (busybox, imported):
        assert not image.config_missing and image.missing_layers == ()
        assert len(image.layers) == len(image.diff_ids)
        # docker save's layer tars are the uncompressed diffs, byte for byte
        assert image.layer_digests == image.diff_ids and image.corrupt_layers == ()


@pytest.mark.engine
@pytest.mark.parametrize("gzip_layers", [False, True], ids=["plain-layers", "gzip-layers"])
def test_real_archive_rewritten_as_oci_layout(
    saved: tuple[Path, str], tmp_path: Path, gzip_layers: bool
) -> None:
    path, tag = saved

    contents = read_archive(classic_to_oci(path, tmp_path / "oci.tar", gzip_layers))

    assert contents.layout == "oci"
    for reference in ("busybox:latest", tag):
        image = contents.tagged(reference)
        assert image is not None, reference
        assert image.diff_ids == inspected_diff_ids(reference)
        assert image.layer_digests == image.diff_ids and image.corrupt_layers == ()
        assert image.missing_layers == () and not image.config_missing
        if not gzip_layers:  # the blobs are the uncompressed diffs: their digests are the diff ids
            assert image.layers == tuple(
                f"blobs/sha256/{diff_id.split(':')[1]}" for diff_id in image.diff_ids
            )


@pytest.mark.engine
def test_real_archive_gzipped_and_truncated(saved: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = saved
    zipped = tmp_path / "images.tar.gz"
    with path.open("rb") as source, gzip.open(zipped, "wb", compresslevel=1) as target:
        shutil.copyfileobj(source, target)
    cut = tmp_path / "cut.tar"
    with path.open("rb") as source:
        cut.write_bytes(source.read(path.stat().st_size // 2))

    assert read_archive(zipped) == read_archive(path)
    message = _error(cut)
    assert message.startswith("truncated archive: it ends in the middle of ")
    assert message.endswith("/layer.tar")


# --- memory ---------------------------------------------------------------------------------


def _read_traced(path: Path) -> tuple[ArchiveContents, int, float]:
    """``read_archive(path)``, the peak memory it allocated and how long it took."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        contents = read_archive(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return contents, peak, time.monotonic() - started


def _one_layer_classic(layer: Content, diff_id: str) -> list[tuple[str, Content]]:
    return [
        ("c.json", config(diff_id)),
        ("zeros/layer.tar", layer),
        (
            "manifest.json",
            js([{"Config": "c.json", "RepoTags": ["big:zeros"], "Layers": ["zeros/layer.tar"]}]),
        ),
    ]


@pytest.mark.parametrize("compression", ["", "gz"])
def test_a_300_mb_archive_is_read_in_little_memory(tmp_path: Path, compression: str) -> None:
    size = 300 * 2**20
    diff_id = zeros_digest(size)
    path = write_tar(
        tmp_path / f"big.tar{'.' + compression if compression else ''}",
        _one_layer_classic(Zeros(size), diff_id),
        compression,
    )
    try:
        contents, peak, elapsed = _read_traced(path)

        assert contents.tagged("big:zeros") == intact(
            ("big:zeros",), (diff_id,), ("zeros/layer.tar",)
        )
        assert peak < 16 * 2**20, (
            f"peak traced memory {peak / 2**20:.1f} MiB reading a 300 MiB archive"
        )
        assert elapsed < 10, f"{elapsed:.1f} s to read a 300 MiB archive"
    finally:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("stored", ["plain", "gzip"])
def test_a_50_mb_layer_is_hashed_in_streaming_chunks(tmp_path: Path, stored: str) -> None:
    size = 50 * 2**20
    diff_id = zeros_digest(size)
    if stored == "plain":
        members = _one_layer_classic(Zeros(size), diff_id)
    else:  # 50 KiB of gzip that inflate to 50 MiB: inflation must be bounded too
        layer = gzipped_zeros(size)
        manifest = oci_manifest(config(diff_id), layer)
        index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "big:zeros"})]
        members = oci_members(index, manifest, config(diff_id), layer)
    path = write_tar(tmp_path / "big.tar", members)

    contents, peak, _ = _read_traced(path)

    image = contents.tagged("big:zeros")
    assert image is not None and image.layer_digests == (diff_id,) and image.corrupt_layers == ()
    assert peak < 4 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB hashing a 50 MiB layer"


def test_a_fifo_named_like_the_archive_is_refused_without_blocking(tmp_path):
    import os
    import threading

    fifo = tmp_path / "myimage.tar"
    os.mkfifo(fifo)
    outcome = {}

    def read():
        outcome["is_tar"] = is_tar(fifo)
        try:
            read_archive(fifo)
        except ArchiveError as error:
            outcome["error"] = str(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=2)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert outcome == {
        "is_tar": False,
        "error": f"unreadable archive: {fifo} is a FIFO, not a regular file",
    }
