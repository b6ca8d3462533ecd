"""grader.artifacts.archive: both layouts of a ``docker save`` archive, read as one stream.

Synthetic archives built with tarfile pin the exact results; the engine tests read what
``docker save`` really writes (the classic layout on Docker 20.10) and an OCI layout made of
its real blobs; the memory test reads a 300 MB archive under tracemalloc.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import shutil
import subprocess
import tarfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest

from grader.artifacts.archive import (
    ArchiveContents,
    ArchivedImage,
    ArchiveError,
    is_tar,
    read_archive,
)

from support.archives import (CONTAINERD_NAME, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, REF_NAME,
                              Content, blob, classic_to_oci, descriptor, digest, js,
                              layer_tar, oci_manifest, oci_members, sha, write_tar)

TEST_LABEL = "docker-grade.test"


# --- building archives --------------------------------------------------------------------


def config(*diff_ids: str) -> bytes:
    return js({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
               "rootfs": {"type": "layers", "diff_ids": list(diff_ids)}})


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
        ("manifest.json", js([
            {"Config": f"{sha(CONFIG_A)}.json",
             "RepoTags": ["busybox:latest", "docker.io/library/busybox:1.36"],
             "Layers": ["aaa/layer.tar"]},
            {"Config": f"{sha(CONFIG_AB)}.json",
             "RepoTags": ["docker.io/mine/node:latest", "localhost:5000/mine/node:v1"],
             "Layers": ["aaa/layer.tar", "bbb/layer.tar"]},
        ])),
        ("repositories", js({"busybox": {"latest": "aaa"}, "mine/node": {"latest": "bbb"}})),
    ]


CLASSIC_CONTENTS = ArchiveContents(
    layout="docker",
    images=(
        ArchivedImage(tags=("busybox:latest", "busybox:1.36"), diff_ids=(DIFF_A,),
                      layers=("aaa/layer.tar",), missing_layers=(), config_missing=False),
        ArchivedImage(tags=("mine/node:latest", "localhost:5000/mine/node:v1"), diff_ids=(DIFF_A, DIFF_B),
                      layers=("aaa/layer.tar", "bbb/layer.tar"), missing_layers=(), config_missing=False),
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
        ("manifest.json", js([
            {"Config": f"{sha(CONFIG_AB)}.json", "RepoTags": ["mine/node:latest"],
             "Layers": ["aaa/layer.tar", "bbb/layer.tar"]},
            {"Config": f"{'f' * 64}.json", "RepoTags": None, "Layers": ["aaa/layer.tar"]},
        ])),
    ]

    contents = read_archive(write_tar(tmp_path / "partial.tar", members))

    assert contents.images == (
        ArchivedImage(tags=("mine/node:latest",), diff_ids=(DIFF_A, DIFF_B),
                      layers=("aaa/layer.tar", "bbb/layer.tar"), missing_layers=("bbb/layer.tar",),
                      config_missing=False),
        ArchivedImage(tags=(), diff_ids=(), layers=("aaa/layer.tar",), missing_layers=(),
                      config_missing=True),
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
        ("manifest.json", js([{"Config": "config.json", "RepoTags": ["links:1"],
                               "Layers": ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"]}])),
    ]

    (image,) = read_archive(write_tar(tmp_path / "links.tar", members)).images

    assert image.diff_ids == (DIFF_A, DIFF_B, DIFF_A)
    assert image.missing_layers == ("ccc/layer.tar",)
    assert not image.config_missing


@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
def test_compressed_archives_read_the_same(tmp_path: Path, compression: str) -> None:
    path = write_tar(tmp_path / f"images.tar.{compression}", classic_members(), compression)

    assert is_tar(path)
    assert read_archive(path) == CLASSIC_CONTENTS


# --- the OCI image layout ------------------------------------------------------------------


@pytest.mark.parametrize(("annotations", "tags"), [
    pytest.param({CONTAINERD_NAME: "docker.io/mine/node:latest", REF_NAME: "latest"},
                 ("mine/node:latest",), id="docker-25"),
    pytest.param({REF_NAME: "docker.io/library/nginx:alpine"}, ("nginx:alpine",), id="podman"),
    pytest.param({REF_NAME: "v1"}, (), id="skopeo-bare-tag"),
    pytest.param({}, (), id="untagged"),
    pytest.param({CONTAINERD_NAME: "docker.io/mine/node:latest", REF_NAME: "localhost:5000/mine/node:v2"},
                 ("mine/node:latest", "localhost:5000/mine/node:v2"), id="both-full"),
])
def test_oci_layout_reads_tags_from_annotations(tmp_path: Path, annotations: dict[str, str],
                                                tags: tuple[str, ...]) -> None:
    manifest = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    index = [descriptor(OCI_MANIFEST, manifest, **annotations)]
    path = write_tar(tmp_path / "oci.tar", oci_members(index, manifest, CONFIG_AB, LAYER_A, LAYER_B))

    contents = read_archive(path)

    assert contents == ArchiveContents(
        layout="oci",
        images=(ArchivedImage(tags=tags, diff_ids=(DIFF_A, DIFF_B), layers=(blob(LAYER_A), blob(LAYER_B)),
                              missing_layers=(), config_missing=False),),
        member_count=8,
    )


@pytest.mark.parametrize("media_type", [OCI_MANIFEST, DOCKER_MANIFEST, None])
def test_oci_manifest_media_types(tmp_path: Path, media_type: str | None) -> None:
    manifest = oci_manifest(CONFIG_A, LAYER_A, media_type=media_type)
    entry = {"digest": digest(manifest), "size": len(manifest), "annotations": {CONTAINERD_NAME: "busybox:latest"}}
    if media_type is not None:
        entry["mediaType"] = media_type
    path = write_tar(tmp_path / "oci.tar", oci_members([entry], manifest, CONFIG_A, LAYER_A))

    (image,) = read_archive(path).images

    assert (image.tags, image.diff_ids, image.layers) == (("busybox:latest",), (DIFF_A,), (blob(LAYER_A),))


@pytest.mark.parametrize("depth", [1, 2])
def test_oci_nested_index_skips_absent_platforms_and_attestations(tmp_path: Path, depth: int) -> None:
    amd64 = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    arm64 = oci_manifest(config(digest(b"arm")), layer_tar({"arm": b"arm"}))  # listed, not saved
    statement = js({"_type": "https://in-toto.io/Statement/v0.1"})
    attestation = oci_manifest(js({"architecture": "unknown", "os": "unknown", "rootfs": {"diff_ids": []}}),
                               statement)
    inner = js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {**descriptor(OCI_MANIFEST, amd64), "platform": {"architecture": "amd64", "os": "linux"}},
        {**descriptor(OCI_MANIFEST, arm64), "platform": {"architecture": "arm64", "os": "linux"}},
        {**descriptor(OCI_MANIFEST, attestation, **{"vnd.docker.reference.type": "attestation-manifest",
                                                     "vnd.docker.reference.digest": digest(amd64)}),
         "platform": {"architecture": "unknown", "os": "unknown"}},
    ]})
    blobs = [inner, amd64, CONFIG_AB, LAYER_A, LAYER_B, attestation, statement]
    top = inner
    for _ in range(depth - 1):
        top = js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor(OCI_INDEX, top)]})
        blobs.append(top)
    index = [descriptor(OCI_INDEX, top, **{CONTAINERD_NAME: "docker.io/library/nginx:alpine", REF_NAME: "alpine"})]

    contents = read_archive(write_tar(tmp_path / "multi.tar", oci_members(index, *blobs)))

    assert contents.layout == "oci"
    assert contents.images == (
        ArchivedImage(tags=("nginx:alpine",), diff_ids=(DIFF_A, DIFF_B), layers=(blob(LAYER_A), blob(LAYER_B)),
                      missing_layers=(), config_missing=False),
    )


def test_oci_layout_reports_missing_blobs(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "mine/node:latest"})]
    without_config_and_b = oci_members(index, manifest, LAYER_A)

    (image,) = read_archive(write_tar(tmp_path / "partial.tar", without_config_and_b)).images

    assert image == ArchivedImage(tags=("mine/node:latest",), diff_ids=(), layers=(blob(LAYER_A), blob(LAYER_B)),
                                  missing_layers=(blob(LAYER_B),), config_missing=True)


def test_oci_layout_with_dot_slash_names_like_tar_c_dir_dot(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_A, LAYER_A)
    index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "busybox:latest"})]
    members = [("./", None), *oci_members(index, manifest, CONFIG_A, LAYER_A, prefix="./")]

    contents = read_archive(write_tar(tmp_path / "dot.tar", members))

    assert contents.images == (ArchivedImage(tags=("busybox:latest",), diff_ids=(DIFF_A,), layers=(blob(LAYER_A),),
                                             missing_layers=(), config_missing=False),)
    assert contents.member_count == 8


def test_oci_index_naming_an_absent_manifest_is_unreadable(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_A, LAYER_A)
    path = write_tar(tmp_path / "oci.tar", oci_members([descriptor(OCI_MANIFEST, manifest)], CONFIG_A, LAYER_A))

    with pytest.raises(ArchiveError) as caught:
        read_archive(path)

    assert str(caught.value) == f"unreadable archive: index.json names {blob(manifest)}, which is not in the archive"


def test_docker_25_archive_with_both_descriptions_prefers_manifest_json(tmp_path: Path) -> None:
    manifest = oci_manifest(CONFIG_AB, LAYER_A, LAYER_B)
    index = [descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: "docker.io/from/index:json", REF_NAME: "json"})]
    members = oci_members(index, manifest, CONFIG_AB, LAYER_A, LAYER_B) + [
        ("manifest.json", js([{"Config": blob(CONFIG_AB), "RepoTags": ["from/manifest:json"],
                               "Layers": [blob(LAYER_A), blob(LAYER_B)]}])),
        ("repositories", js({"from/manifest": {"json": HEX_B}})),
    ]

    contents = read_archive(write_tar(tmp_path / "docker25.tar", members))

    assert contents == ArchiveContents(
        layout="docker",
        images=(ArchivedImage(tags=("from/manifest:json",), diff_ids=(DIFF_A, DIFF_B),
                              layers=(blob(LAYER_A), blob(LAYER_B)), missing_layers=(), config_missing=False),),
        member_count=10,
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
    layer, config_member, last = members["aaa/layer.tar"], members["config.json"], members["manifest.json"]
    return {
        "in-a-layer": layer.offset_data + layer.size // 2,
        "in-a-json-member": config_member.offset_data + 10,
        "in-a-header": last.offset + 100,
        "before-the-end-marker": last.offset_data + -(-last.size // 512) * 512,
    }


@pytest.fixture
def random_layer_archive(tmp_path: Path) -> Path:
    layer = layer_tar({"data": random.Random(0).randbytes(64 * 1024)})
    members = [("config.json", config(digest(layer))), ("aaa/layer.tar", layer),
               ("manifest.json", js([{"Config": "config.json", "RepoTags": ["r:1"], "Layers": ["aaa/layer.tar"]}]))]
    return write_tar(tmp_path / "whole.tar", members)


@pytest.mark.parametrize(("cut", "message"), [
    ("in-a-layer", "truncated archive: it ends in the middle of aaa/layer.tar"),
    ("in-a-json-member", "truncated archive: it ends in the middle of config.json"),
    ("in-a-header", "truncated archive: it ends after aaa/layer.tar without the end-of-archive marker"),
    ("before-the-end-marker", "truncated archive: it ends after manifest.json without the end-of-archive marker"),
])
def test_truncated_archive(random_layer_archive: Path, tmp_path: Path, cut: str, message: str) -> None:
    data = random_layer_archive.read_bytes()
    truncated = tmp_path / "cut.tar"
    truncated.write_bytes(data[:_truncation_points(random_layer_archive)[cut]])

    assert read_archive(random_layer_archive).images[0].tags == ("r:1",)
    assert _error(truncated) == message


@pytest.mark.parametrize("keep", [0.5, -4], ids=["half", "without-the-trailer"])
def test_truncated_gzip_archive(random_layer_archive: Path, tmp_path: Path, keep: float) -> None:
    compressed = gzip.compress(random_layer_archive.read_bytes())
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(compressed[:int(len(compressed) * keep)] if keep > 0 else compressed[:int(keep)])

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
    assert _error(tmp_path) == "unreadable archive: Is a directory"


def test_a_tar_without_manifest_is_not_an_image_archive(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "site.tar", [("html/", None), ("html/index.html", b"<h1>hi</h1>")])

    assert is_tar(path)
    assert _error(path) == "no manifest.json or index.json: not an image archive"


@pytest.mark.parametrize(("manifest", "message"), [
    (b"\x00\x01 binary", "unreadable archive: manifest.json is not JSON"),
    (b'{"Config": ', "unreadable archive: manifest.json is not valid JSON ("),
    (js({"Config": "c.json"}), "unreadable archive: manifest.json is not a list of images"),
    (js([{"RepoTags": ["a:b"]}]), "unreadable archive: an image of manifest.json has no Config"),
    (js([{"Config": "c.json", "RepoTags": "a:b"}]), "unreadable archive: RepoTags of manifest.json is not a list"),
])
def test_a_broken_manifest_json_is_unreadable(tmp_path: Path, manifest: bytes, message: str) -> None:
    path = write_tar(tmp_path / "broken.tar", [("c.json", CONFIG_A), ("manifest.json", manifest)])

    assert _error(path).startswith(message)


def test_a_config_larger_than_4_mib_is_not_read(tmp_path: Path) -> None:
    huge = b'{"rootfs": {"diff_ids": []}, "padding": "' + b"x" * (4 * 2**20) + b'"}'
    members = [("c.json", huge), ("manifest.json", js([{"Config": "c.json", "Layers": []}]))]

    assert _error(write_tar(tmp_path / "huge.tar", members)) == "unreadable archive: c.json is larger than 4 MiB"


# --- a real engine --------------------------------------------------------------------------


def docker(*args: str, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(["docker", *args], input=stdin, capture_output=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc


def inspected_diff_ids(reference: str) -> tuple[str, ...]:
    return tuple(json.loads(docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", reference).stdout))


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
        docker("image", "import", "--change", f"LABEL {TEST_LABEL}=1", "-", tag,
               stdin=layer_tar({"hello.txt": b"hello from docker-grade\n"}))
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


@pytest.mark.engine
def test_real_archive_rewritten_as_oci_layout(saved: tuple[Path, str], tmp_path: Path) -> None:
    path, tag = saved

    contents = read_archive(classic_to_oci(path, tmp_path / "oci.tar"))

    assert contents.layout == "oci"
    for reference in ("busybox:latest", tag):
        image = contents.tagged(reference)
        assert image is not None, reference
        assert image.diff_ids == inspected_diff_ids(reference)
        # docker save's layer tars are the uncompressed diffs: their digests are the diff ids
        assert image.layers == tuple(f"blobs/sha256/{diff_id.split(':')[1]}" for diff_id in image.diff_ids)
        assert image.missing_layers == () and not image.config_missing


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


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, produced as they are read."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


@pytest.mark.parametrize("compression", ["", "gz"])
def test_a_300_mb_archive_is_read_in_little_memory(tmp_path: Path, compression: str) -> None:
    size = 300 * 2**20
    path = tmp_path / f"big.tar{'.' + compression if compression else ''}"
    fake_diff_id = f"sha256:{'0' * 64}"
    try:
        with tarfile.open(path, mode=f"w:{compression}" if compression else "w",
                          **({"compresslevel": 1} if compression else {})) as tar:
            for name, data in [("c.json", config(fake_diff_id))]:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            info = tarfile.TarInfo("zeros/layer.tar")
            info.size = size
            tar.addfile(info, io.BufferedReader(_Zeros(size), 1 << 20))
            manifest = js([{"Config": "c.json", "RepoTags": ["big:zeros"], "Layers": ["zeros/layer.tar"]}])
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest))

        tracemalloc.start()
        started = time.monotonic()
        try:
            contents = read_archive(path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        elapsed = time.monotonic() - started

        assert contents.tagged("big:zeros") == ArchivedImage(
            tags=("big:zeros",), diff_ids=(fake_diff_id,), layers=("zeros/layer.tar",), missing_layers=(),
            config_missing=False)
        assert peak < 16 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB reading a 300 MiB archive"
        assert elapsed < 10, f"{elapsed:.1f} s to read a 300 MiB archive"
    finally:
        path.unlink(missing_ok=True)
