"""Builds image archives for tests: both ``docker save`` layouts, from bytes or from a real
classic archive rewritten as an OCI image layout or spoiled."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import posixpath
import tarfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
CONTAINERD_NAME = "io.containerd.image.name"
REF_NAME = "org.opencontainers.image.ref.name"

_MIB = 2**20


@dataclass(frozen=True)
class Zeros:
    """A member of ``size`` zero bytes, produced as it is written: a big layer costs no memory."""

    size: int


# A member: bytes for a file, None for a directory, ("symlink"|"hardlink", target) for a link.
Content = Union[bytes, None, tuple[str, str], Zeros]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(data: bytes) -> str:
    return f"sha256:{sha(data)}"


def blob(data: bytes) -> str:
    return f"blobs/sha256/{sha(data)}"


def js(document: Any) -> bytes:
    return json.dumps(document).encode()


def zeros_digest(size: int) -> str:
    """The digest of ``size`` zero bytes, hashed a MiB at a time."""
    hashed = hashlib.sha256()
    for left in range(size, 0, -_MIB):
        hashed.update(bytes(min(left, _MIB)))
    return f"sha256:{hashed.hexdigest()}"


def gzipped(data: bytes) -> bytes:
    """A gzip'd OCI layer blob, reproducible (no timestamp)."""
    return _gzip_chunks([data])


def gunzipped(data: bytes) -> bytes:
    return gzip.decompress(data) if data.startswith(b"\x1f\x8b") else data


def gzipped_zeros(size: int) -> bytes:
    """``size`` zero bytes gzip'd, compressed a MiB at a time: 50 MiB make a 50 KiB blob."""
    return _gzip_chunks(bytes(min(left, _MIB)) for left in range(size, 0, -_MIB))


def _gzip_chunks(chunks: Iterable[bytes]) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: the gzip format, mtime 0
    return b"".join(compressor.compress(chunk) for chunk in chunks) + compressor.flush()


def layer_tar(files: dict[str, bytes]) -> bytes:
    """A small but real layer: a tar of ``files``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def descriptor(media_type: str, data: bytes, **annotations: str) -> dict[str, Any]:
    found: dict[str, Any] = {"mediaType": media_type, "digest": digest(data), "size": len(data)}
    if annotations:
        found["annotations"] = annotations
    return found


def oci_manifest(
    config_data: bytes, *layers: bytes, media_type: str | None = OCI_MANIFEST
) -> bytes:
    document: dict[str, Any] = {"schemaVersion": 2}
    if media_type is not None:
        document["mediaType"] = media_type
    document["config"] = descriptor(OCI_CONFIG, config_data)
    document["layers"] = [
        descriptor(OCI_LAYER_GZIP if layer.startswith(b"\x1f\x8b") else OCI_LAYER, layer)
        for layer in layers
    ]
    return js(document)


def write_tar(path: Path, members: list[tuple[str, Content]], compression: str = "") -> Path:
    # Level 1: the big archives of zeros compress as well and much faster.
    options: dict[str, Any] = {"compresslevel": 1} if compression in ("gz", "bz2") else {}
    with tarfile.open(
        path, mode=f"w:{compression}" if compression else "w", format=tarfile.PAX_FORMAT, **options
    ) as tar:
        for name, content in members:
            _add(tar, name, content)
    return path


def _add(tar: tarfile.TarFile, name: str, content: Content) -> None:
    info = tarfile.TarInfo(name)
    info.mtime = 0
    if content is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
    elif isinstance(content, tuple):
        kind, info.linkname = content
        info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
        tar.addfile(info)
    elif isinstance(content, Zeros):
        info.size = content.size
        tar.addfile(info, io.BufferedReader(_ZeroReader(content.size), _MIB))
    else:
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))


class _ZeroReader(io.RawIOBase):
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


def oci_members(
    index: list[dict[str, Any]], *blobs: bytes, prefix: str = ""
) -> list[tuple[str, Content]]:
    """An OCI image layout, index.json first (before the blobs it names)."""
    members: list[tuple[str, Content]] = [
        (f"{prefix}oci-layout", js({"imageLayoutVersion": "1.0.0"})),
        (
            f"{prefix}index.json",
            js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": index}),
        ),
        (f"{prefix}blobs/", None),
        (f"{prefix}blobs/sha256/", None),
    ]
    members += [(f"{prefix}{blob(data)}", data) for data in dict.fromkeys(blobs)]
    return members


def full_reference(tag: str) -> str:
    """``busybox:latest`` -> ``docker.io/library/busybox:latest``, as containerd names images."""
    repository, _, version = tag.rpartition(":")
    return f"docker.io/{repository if '/' in repository else 'library/' + repository}:{version}"


def classic_to_oci(classic: Path, target: Path, gzip_layers: bool = False) -> Path:
    """Rewrite a ``docker save`` archive (its manifest.json: the classic layout, or the one
    Docker 25+ also writes beside an OCI layout) as an OCI image layout of the same blobs, the
    layers gzip'd if asked (as podman and skopeo may store them)."""
    with tarfile.open(classic) as tar:
        files = {
            member.name: tar.extractfile(member).read()
            for member in tar.getmembers()
            if member.isfile()
        }
    blobs: list[bytes] = []
    index = []
    for entry in json.loads(files["manifest.json"]):
        image_config = files[entry["Config"]]
        # Docker 28's containerd store saves the layers compressed as it holds them: the
        # same blobs are made plain first, then compressed if asked.
        plain = [gunzipped(files[name]) for name in entry["Layers"]]
        layers = [gzipped(layer) if gzip_layers else layer for layer in plain]
        manifest = oci_manifest(image_config, *layers)
        blobs += [manifest, image_config, *layers]
        for tag in entry["RepoTags"] or ():
            index.append(
                descriptor(
                    OCI_MANIFEST,
                    manifest,
                    **{CONTAINERD_NAME: full_reference(tag), REF_NAME: tag.rpartition(":")[2]},
                )
            )
    return write_tar(target, oci_members(index, *blobs))


def classic_layer(archive: Path, position: int) -> tuple[str, str]:
    """Layer ``position`` (1 = the base) of a classic archive's first image: the path its
    manifest names and the member that holds its bytes (symlinks followed)."""
    with tarfile.open(archive) as tar:
        named = json.load(tar.extractfile("manifest.json"))[0]["Layers"][position - 1]
        holder, member = named, tar.getmember(named)
        while member.issym():
            holder = posixpath.normpath(posixpath.join(posixpath.dirname(holder), member.linkname))
            member = tar.getmember(holder)
    return named, holder


def replace_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """A copy of the tar ``source`` with the content of member ``name`` replaced by ``data``:
    the same names in the same order, every other member as it was (streamed, not loaded)."""
    with (
        tarfile.open(source) as original,
        tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as spoiled,
    ):
        for member in original:
            if member.name == name:
                replaced = copy.copy(member)
                replaced.size = len(data)
                spoiled.addfile(replaced, io.BytesIO(data))
            else:
                spoiled.addfile(member, original.extractfile(member) if member.isreg() else None)
    return target
