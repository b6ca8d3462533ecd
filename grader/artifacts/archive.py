"""The tar archive ``docker save`` writes, read in one streaming pass without loading it.

Two layouts exist, and Docker 25+ writes both into the same archive:

* classic Docker (Docker 20-24): ``manifest.json`` lists ``{Config, RepoTags, Layers}``;
  ``Config`` names a JSON member whose ``rootfs.diff_ids`` lists the layers' diff ids.
* OCI image layout (Docker 25+, podman, skopeo): ``index.json`` -> manifest blobs (possibly
  through nested indexes) -> config blob and layer blobs, all under ``blobs/<alg>/<hex>``.

``manifest.json`` wins when present, else ``index.json``.  Only small JSON members (at most
4 MiB each) are kept in memory; of the others (the layers) only the names are recorded, so a
1 GB archive costs a few MiB.  Gzip'd archives (``docker save | gzip``) read the same: they are
inflated on the fly by GzipFile (bz2/xz likewise) under tarfile's stream mode ``r|``, which,
unlike ``r|*``, bounds what one read inflates and checks the gzip trailer.

>>> contents = read_archive(Path("node.tar"))          # doctest: +SKIP
>>> contents.layout, contents.tagged("mine/node").missing_layers
('docker', ())
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import posixpath
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO, Literal

from grader.engine.references import normalize

MAX_JSON_MEMBER = 4 * 1024 * 1024  # a larger member is never read: configs and manifests are KiBs
MAX_JSON_TOTAL = 64 * 1024 * 1024  # all JSON members kept during the pass, together
_DRAIN = 64 * 1024
_PEEK = 64  # bytes read from a small member to tell JSON from a layer
_MAX_LINK_HOPS = 16
_MAX_INDEX_DEPTH = 8

_INDEX_TYPES = frozenset({
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
})
_MANIFEST_TYPES = frozenset({
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
})
_COMPRESSIONS: tuple[tuple[bytes, Callable[[BinaryIO, str], BinaryIO]], ...] = (
    (b"\x1f\x8b", gzip.open),
    (b"BZh", bz2.open),
    (b"\xfd7zXZ\x00", lzma.open),
)
_CONTAINERD_NAME = "io.containerd.image.name"
_OCI_REF_NAME = "org.opencontainers.image.ref.name"
_REFERENCE_TYPE = "vnd.docker.reference.type"  # buildx marks attestation manifests with it


class ArchiveError(Exception):
    """Not a tar, truncated, or unreadable: the one-line message says which.

    >>> read_archive(Path("notes.txt"))                 # doctest: +SKIP
    Traceback (most recent call last):
    grader.artifacts.archive.ArchiveError: not a tar archive: invalid header
    """


@dataclass(frozen=True)
class ArchivedImage:
    """One image of the archive, as its manifest describes it.

    >>> image = ArchivedImage(("busybox:latest",), ("sha256:4f5f",), ("a784/layer.tar",), (), False)
    >>> image.config_missing or bool(image.missing_layers)   # all that docker load needs
    False
    """

    tags: tuple[str, ...]  # normalized "repo:tag": "mine/node:latest", never "docker.io/..."
    diff_ids: tuple[str, ...]  # the config's rootfs.diff_ids, in order; () when config_missing
    layers: tuple[str, ...]  # the member paths the manifest names, in order
    missing_layers: tuple[str, ...]  # those of ``layers`` not in the archive
    config_missing: bool  # the manifest names a config that is not in the archive


@dataclass(frozen=True)
class ArchiveContents:
    """What a ``docker save`` archive holds.

    >>> contents = ArchiveContents("docker", (ArchivedImage(("mine/node:latest",), (), (), (), False),), 7)
    >>> contents.tagged("docker.io/mine/node").tags
    ('mine/node:latest',)
    """

    layout: Literal["docker", "oci"]  # which description was read: manifest.json or index.json
    images: tuple[ArchivedImage, ...]
    member_count: int  # tar members of every type, directories included

    def tagged(self, reference: str) -> ArchivedImage | None:
        """The first image tagged ``reference`` (``mine/node`` means ``mine/node:latest``)."""
        wanted = normalize(reference)
        return next((image for image in self.images if wanted in image.tags), None)


def is_tar(path: str | PathLike[str]) -> bool:
    """Cheap check that ``path`` is a tar archive, compressed or not; never raises.

    >>> is_tar(Path("/etc/hostname"))
    False
    """
    try:
        return tarfile.is_tarfile(path)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, tarfile.TarError):
        return False


def read_archive(path: str | PathLike[str]) -> ArchiveContents:
    """Read the image archive at ``path`` in one streaming pass; raise ArchiveError if it can't.

    >>> [image.tags for image in read_archive(Path("busybox.tar")).images]   # doctest: +SKIP
    [('busybox:latest',)]
    """
    scan = _scan(Path(path))
    if scan.is_file("manifest.json"):
        return ArchiveContents("docker", _docker_images(scan), scan.member_count)
    if scan.is_file("index.json"):
        return ArchiveContents("oci", _oci_images(scan), scan.member_count)
    raise ArchiveError("no manifest.json or index.json: not an image archive")


# --- the streaming pass ---------------------------------------------------------------------


@dataclass
class _Scan:
    """Member names from one pass over the archive, and the small JSON members' bytes."""

    member_count: int = 0
    files: set[str] = field(default_factory=set)  # regular files
    links: dict[str, str] = field(default_factory=dict)  # symlink or hard link -> target path
    json: dict[str, bytes] = field(default_factory=dict)
    oversized: set[str] = field(default_factory=set)  # regular files too large to be read
    json_bytes: int = 0

    def resolve(self, name: str) -> str:
        for _ in range(_MAX_LINK_HOPS):
            if name not in self.links:
                return name
            name = self.links[name]
        return name

    def is_file(self, name: str) -> bool:
        return self.resolve(_member_path(name)) in self.files

    def load(self, name: str) -> Any:
        """The parsed JSON member ``name``; ArchiveError when it is there but not readable JSON."""
        target = self.resolve(_member_path(name))
        if target in self.oversized:
            raise ArchiveError(f"unreadable archive: {name} is larger than {MAX_JSON_MEMBER >> 20} MiB")
        if target not in self.json:
            raise ArchiveError(f"unreadable archive: {name} is not JSON")
        try:
            return json.loads(self.json[target])
        except ValueError as exc:
            raise ArchiveError(f"unreadable archive: {name} is not valid JSON ({exc})") from None


def _member_path(name: str) -> str:
    """``./blobs//sha256/x`` and ``/blobs/sha256/x`` -> ``blobs/sha256/x``."""
    return posixpath.normpath("/" + name).lstrip("/") or "."


def _end_recorder() -> tuple[type[tarfile.TarInfo], list[Exception]]:
    """A TarInfo class that notes why the header read failed (how the archive ended)."""
    ends: list[Exception] = []

    class _TarInfo(tarfile.TarInfo):
        @classmethod
        def fromtarfile(cls, tar: tarfile.TarFile) -> tarfile.TarInfo:  # type: ignore[override]
            try:
                return super().fromtarfile(tar)
            except tarfile.HeaderError as exc:
                ends.append(exc)
                raise

    return _TarInfo, ends


@contextmanager
def _decompressed(path: Path) -> Iterator[tuple[BinaryIO, bool]]:
    """The archive's tar bytes, decompressed on the fly when it is gzip'd, bzip2'd or xz'd,
    and whether they were.

    tarfile's own ``r|*`` inflates each 10 KiB it reads in one go (10 MiB for a layer of zeros,
    then copied at every read: 3 s for 300 MB) and never checks the gzip trailer; GzipFile &
    co. bound each read and raise EOFError when the compressed stream is cut short.
    """
    with open(path, "rb") as raw:
        magic = raw.read(6)
        raw.seek(0)
        for prefix, opener in _COMPRESSIONS:
            if magic.startswith(prefix):
                with opener(raw, "rb") as stream:
                    yield stream, True
                return
        yield raw, False


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    info_class, ends = _end_recorder()
    current = ""  # the member being read, for messages
    try:
        with _decompressed(path) as (stream, compressed):
            with tarfile.open(fileobj=stream, mode="r|", tarinfo=info_class) as tar:
                while (info := tar.next()) is not None:
                    scan.member_count += 1
                    current = info.name
                    _record(scan, tar, info)
            if compressed:
                while stream.read(_DRAIN):  # to the compressed stream's end, which checks its trailer
                    pass
    except EOFError:  # from GzipFile & co., which read ahead: where it stops is approximate
        where = f"around {current}" if current else "before the first member"
        raise ArchiveError(f"truncated archive: the compressed data stops short, {where}") from None
    except (zlib.error, lzma.LZMAError):
        raise ArchiveError(f"unreadable archive: corrupt compressed data after {current or 'the start'}") from None
    except OSError as exc:  # also gzip's BadGzipFile (a CRC that does not match)
        raise ArchiveError(f"unreadable archive: {exc.strerror or exc}") from None
    except tarfile.TarError as exc:
        raise ArchiveError(_translate(str(exc), current, scan)) from None
    if ends and not isinstance(ends[-1], tarfile.EOFHeaderError):
        if isinstance(ends[-1], (tarfile.EmptyHeaderError, tarfile.TruncatedHeaderError)):
            raise ArchiveError(f"truncated archive: it ends after {current} without the end-of-archive marker")
        raise ArchiveError(f"unreadable archive: {ends[-1]} after {current}")
    return scan


def _record(scan: _Scan, tar: tarfile.TarFile, info: tarfile.TarInfo) -> None:
    name = _member_path(info.name)
    if info.issym():
        scan.links[name] = _member_path(posixpath.join(posixpath.dirname(name), info.linkname))
    elif info.islnk():
        scan.links[name] = _member_path(info.linkname)
    elif info.isreg():
        scan.files.add(name)
        scan.json.pop(name, None)
        scan.oversized.discard(name)
        if info.size > MAX_JSON_MEMBER:
            scan.oversized.add(name)
            return
        data = _read_if_json(tar, info)
        if data is not None:
            scan.json_bytes += len(data)
            if scan.json_bytes > MAX_JSON_TOTAL:
                raise ArchiveError(
                    f"unreadable archive: more than {MAX_JSON_TOTAL >> 20} MiB of JSON members")
            scan.json[name] = data


def _read_if_json(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes | None:
    reader = tar.extractfile(info)
    if reader is None:
        return None
    head = reader.read(min(info.size, _PEEK))
    if len(head) < min(info.size, _PEEK):
        raise tarfile.ReadError("unexpected end of data")
    if head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] not in (b"{", b"["):
        return None  # a layer, or some other file: only its name matters
    rest = reader.read()
    if len(head) + len(rest) != info.size:
        raise tarfile.ReadError("unexpected end of data")
    return head + rest


def _truncated(current: str) -> str:
    if not current:
        return "truncated archive: it ends before its first member"
    return f"truncated archive: it ends in the middle of {current}"


def _translate(message: str, current: str, scan: _Scan) -> str:
    """A one-line ArchiveError message for what tarfile raised in stream mode."""
    if "unexpected end of data" in message:
        return _truncated(current)
    if scan.member_count == 0:
        return "not a tar archive: the file is empty" if message == "empty file" else f"not a tar archive: {message}"
    return f"unreadable archive: {message} after {current}"


# --- the two layouts ------------------------------------------------------------------------


def _docker_images(scan: _Scan) -> tuple[ArchivedImage, ...]:
    entries = scan.load("manifest.json")
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ArchiveError("unreadable archive: manifest.json is not a list of images")
    images = []
    for entry in entries:
        config = entry.get("Config")
        if not isinstance(config, str):
            raise ArchiveError("unreadable archive: an image of manifest.json has no Config")
        tags = _strings(entry.get("RepoTags"), "RepoTags of manifest.json")
        layers = _strings(entry.get("Layers"), "Layers of manifest.json")
        images.append(_image(scan, tags, config, layers))
    return tuple(images)


def _oci_images(scan: _Scan) -> tuple[ArchivedImage, ...]:
    index = scan.load("index.json")
    if not isinstance(index, dict):
        raise ArchiveError("unreadable archive: index.json is not an image index")
    descriptors = index.get("manifests") or []  # Docker 25.0.0-25.0.2 wrote null for `save <id>`
    if not isinstance(descriptors, list):
        raise ArchiveError("unreadable archive: index.json has no manifests list")
    images: list[ArchivedImage] = []
    for descriptor in descriptors:
        images.extend(_from_descriptor(scan, descriptor, (), depth=0))
    return tuple(images)


def _from_descriptor(scan: _Scan, descriptor: Any, tags: tuple[str, ...], depth: int) -> list[ArchivedImage]:
    """The images a manifest or index descriptor leads to; ``tags`` come from enclosing indexes."""
    if not isinstance(descriptor, dict):
        raise ArchiveError("unreadable archive: a descriptor of index.json is not an object")
    if depth > _MAX_INDEX_DEPTH:
        raise ArchiveError(f"unreadable archive: indexes nested more than {_MAX_INDEX_DEPTH} deep")
    annotations = descriptor.get("annotations") or {}
    if not isinstance(annotations, dict):
        annotations = {}
    if annotations.get(_REFERENCE_TYPE) == "attestation-manifest":
        return []  # buildx's provenance/SBOM "image": not an image anyone runs
    tags = _unique(tags + _oci_tags(annotations))
    path = _blob_path(descriptor.get("digest"))
    if not scan.is_file(path):
        if depth == 0:
            raise ArchiveError(f"unreadable archive: index.json names {path}, which is not in the archive")
        return []  # one platform of a multi-platform index: Docker saves only the platforms it has
    document = scan.load(path)
    if not isinstance(document, dict):
        raise ArchiveError(f"unreadable archive: {path} is not a manifest or an index")
    media_type = descriptor.get("mediaType") or document.get("mediaType")
    if media_type in _INDEX_TYPES or (media_type is None and "manifests" in document):
        children = document.get("manifests")
        if not isinstance(children, list):
            raise ArchiveError(f"unreadable archive: index {path} has no manifests list")
        return [image for child in children for image in _from_descriptor(scan, child, tags, depth + 1)]
    if media_type in _MANIFEST_TYPES or (media_type is None and "config" in document):
        config = document.get("config")
        layers = document.get("layers")
        if not isinstance(config, dict) or not isinstance(layers, list):
            raise ArchiveError(f"unreadable archive: manifest {path} lacks config or layers")
        layer_paths = tuple(
            _blob_path(layer.get("digest") if isinstance(layer, dict) else None) for layer in layers)
        return [_image(scan, tags, _blob_path(config.get("digest")), layer_paths)]
    return []  # some other artifact (a signature, a helm chart): no image


def _image(scan: _Scan, tags: tuple[str, ...], config: str, layers: tuple[str, ...]) -> ArchivedImage:
    config_missing = not scan.is_file(config)
    diff_ids: tuple[str, ...] = ()
    if not config_missing:
        document = scan.load(config)
        rootfs = document.get("rootfs") if isinstance(document, dict) else None
        diff_ids = _strings(rootfs.get("diff_ids") if isinstance(rootfs, dict) else None,
                            f"rootfs.diff_ids of config {config}", required=True)
    layers = tuple(_member_path(layer) for layer in layers)
    return ArchivedImage(
        tags=_unique(tuple(normalize(tag) for tag in tags)),
        diff_ids=diff_ids,
        layers=layers,
        missing_layers=tuple(layer for layer in layers if not scan.is_file(layer)),
        config_missing=config_missing,
    )


def _oci_tags(annotations: dict[str, Any]) -> tuple[str, ...]:
    """``io.containerd.image.name`` is a full reference; ``org.opencontainers.image.ref.name`` is
    a full reference (podman) or just a tag (Docker, skopeo): a bare tag names no repository and
    gives no tag of its own."""
    tags = []
    for key in (_CONTAINERD_NAME, _OCI_REF_NAME):
        value = annotations.get(key)
        if isinstance(value, str) and value and ("/" in value or ":" in value or key == _CONTAINERD_NAME):
            tags.append(value)
    return tuple(tags)


def _blob_path(digest: Any) -> str:
    algorithm, _, encoded = digest.partition(":") if isinstance(digest, str) else ("", "", "")
    if not algorithm or not encoded or "/" in digest:
        raise ArchiveError(f"unreadable archive: bad digest {digest!r}")
    return f"blobs/{algorithm}/{encoded}"


def _strings(value: Any, what: str, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ArchiveError(f"unreadable archive: {what} is not a list of strings")
    return tuple(value)


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
