"""Builds image archives for tests: both ``docker save`` layouts, from bytes or from a real
classic archive rewritten as an OCI image layout."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any, Union

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
CONTAINERD_NAME = "io.containerd.image.name"
REF_NAME = "org.opencontainers.image.ref.name"

# A member: bytes for a file, None for a directory, ("symlink"|"hardlink", target) for a link.
Content = Union[bytes, None, tuple[str, str]]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(data: bytes) -> str:
    return f"sha256:{sha(data)}"


def blob(data: bytes) -> str:
    return f"blobs/sha256/{sha(data)}"


def js(document: Any) -> bytes:
    return json.dumps(document).encode()


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


def oci_manifest(config_data: bytes, *layers: bytes, media_type: str | None = OCI_MANIFEST) -> bytes:
    document: dict[str, Any] = {"schemaVersion": 2}
    if media_type is not None:
        document["mediaType"] = media_type
    document["config"] = descriptor(OCI_CONFIG, config_data)
    document["layers"] = [descriptor(OCI_LAYER, layer) for layer in layers]
    return js(document)


def write_tar(path: Path, members: list[tuple[str, Content]], compression: str = "") -> Path:
    with tarfile.open(path, mode=f"w:{compression}" if compression else "w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif isinstance(content, tuple):
                kind, info.linkname = content
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


def oci_members(index: list[dict[str, Any]], *blobs: bytes, prefix: str = "") -> list[tuple[str, Content]]:
    """An OCI image layout, index.json first (before the blobs it names)."""
    members: list[tuple[str, Content]] = [
        (f"{prefix}oci-layout", js({"imageLayoutVersion": "1.0.0"})),
        (f"{prefix}index.json", js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": index})),
        (f"{prefix}blobs/", None),
        (f"{prefix}blobs/sha256/", None),
    ]
    members += [(f"{prefix}{blob(data)}", data) for data in dict.fromkeys(blobs)]
    return members


def full_reference(tag: str) -> str:
    """``busybox:latest`` -> ``docker.io/library/busybox:latest``, as containerd names images."""
    repository, _, version = tag.rpartition(":")
    return f"docker.io/{repository if '/' in repository else 'library/' + repository}:{version}"


def classic_to_oci(classic: Path, target: Path) -> Path:
    """Rewrite a classic ``docker save`` archive as an OCI image layout of the same blobs."""
    with tarfile.open(classic) as tar:
        files = {member.name: tar.extractfile(member).read() for member in tar.getmembers() if member.isfile()}
    blobs: list[bytes] = []
    index = []
    for entry in json.loads(files["manifest.json"]):
        image_config, layers = files[entry["Config"]], [files[name] for name in entry["Layers"]]
        manifest = oci_manifest(image_config, *layers)
        blobs += [manifest, image_config, *layers]
        for tag in entry["RepoTags"] or ():
            index.append(descriptor(OCI_MANIFEST, manifest, **{CONTAINERD_NAME: full_reference(tag),
                                                               REF_NAME: tag.rpartition(":")[2]}))
    return write_tar(target, oci_members(index, *blobs))
