"""The tar archive ``docker save`` writes, read in one streaming pass without loading it.

Two layouts exist, and Docker 25+ writes both into the same archive:

* classic Docker (Docker 20-24): ``manifest.json`` lists ``{Config, RepoTags, Layers}``;
  ``Config`` names a JSON member whose ``rootfs.diff_ids`` lists the layers' diff ids.
* OCI image layout (Docker 25+, podman, skopeo): ``index.json`` -> manifest blobs (possibly
  through nested indexes) -> config blob and layer blobs, all under ``blobs/<alg>/<hex>``.

``manifest.json`` wins when present, else ``index.json``.  Only small JSON members (at most
4 MiB each) are kept in memory; every other member (a layer, mostly) is hashed as it streams
by, 256 KiB at a time, so a 1 GB archive costs a few MiB.  A layer's diff id is the sha256 of its
uncompressed tar: ``docker save`` stores layers uncompressed, other tools may gzip OCI layer
blobs, which are then inflated on the fly to be hashed.  Members come in any order (layers
before the manifest that names them), so the hashes are kept by member path and matched to
the manifests after the pass.  Gzip'd archives (``docker save | gzip``) read the same: they are
inflated on the fly by GzipFile (bz2/xz likewise) under tarfile's stream mode ``r|``, which,
unlike ``r|*``, bounds what one read inflates and checks the gzip trailer.

>>> contents = read_archive(Path("node.tar"))          # doctest: +SKIP
>>> node = contents.tagged("mine/node")                # doctest: +SKIP
>>> contents.layout, node.missing_layers, node.corrupt_layers   # doctest: +SKIP
('docker', (), ())
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import itertools
import json
import lzma
import posixpath
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO, Literal

from grader.artifacts.student_files import NotARegularFile, open_regular_file
from grader.engine.references import normalize

MAX_JSON_MEMBER = 4 * 1024 * 1024  # a larger member is never read: configs and manifests are KiBs
MAX_JSON_TOTAL = 64 * 1024 * 1024  # all JSON members kept during the pass, together
_DRAIN = 64 * 1024
_PEEK = 64  # bytes read first from a member to tell JSON from a layer
_HASH_CHUNK = 256 * 1024  # a layer is read, inflated and hashed this much at a time: ~1 MiB peak
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 31  # zlib's window bits for the gzip format (header and trailer checked)
EMPTY_DIGEST = f"sha256:{hashlib.sha256().hexdigest()}"  # what a layer of no bytes hashes to
_MAX_LINK_HOPS = 16
_MAX_INDEX_DEPTH = 8

_INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
_MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)
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


LayerProblem = Literal[
    "content",  # the content does not hash to the config's diff id (empty, altered, another layer)
    "gzip",  # gzip'd, but its compressed data is broken: nothing to hash
    "blob-name",  # an OCI blob whose bytes do not hash to the digest its name says
    "no-diff-id",  # a layer beyond the config's diff ids
    "no-layer",  # a diff id beyond the manifest's layers
]


@dataclass(frozen=True)
class CorruptLayer:
    """A layer ``docker load`` would refuse: its content is not what the image says it is.

    ``expected`` and ``found`` are digests: the config's diff id and what the content hashes to
    (for ``blob-name``: the blob's name and what its bytes hash to); None where there is none.

    >>> layer = CorruptLayer(2, "bbb/layer.tar", "sha256:ab12", EMPTY_DIGEST, "content")
    >>> layer.empty
    True
    """

    position: int  # 1 for the base layer, as people count them
    path: str  # the member path the manifest names; "" for "no-layer"
    expected: str | None
    found: str | None
    problem: LayerProblem

    @property
    def empty(self) -> bool:
        """The layer holds no bytes at all (what a hand-made archive's placeholder holds)."""
        return self.found == EMPTY_DIGEST and self.problem == "content"


@dataclass(frozen=True)
class ArchivedImage:
    """One image of the archive, as its manifest describes it, and what its layers hash to.

    >>> image = ArchivedImage(("busybox:latest",), ("sha256:4f5f",), ("a784/layer.tar",), (), False,
    ...                       ("sha256:4f5f",), ())
    >>> image.config_missing or bool(image.missing_layers) or bool(image.corrupt_layers)
    False
    """

    tags: tuple[str, ...]  # normalized "repo:tag": "mine/node:latest", never "docker.io/..."
    diff_ids: tuple[str, ...]  # the config's rootfs.diff_ids, in order; () when config_missing
    layers: tuple[str, ...]  # the member paths the manifest names, in order
    missing_layers: tuple[str, ...]  # those of ``layers`` not in the archive
    config_missing: bool  # the manifest names a config that is not in the archive
    # What each of ``layers`` really is: the sha256 of its uncompressed content, the diff id it
    # has whatever the config claims; None for a missing layer or broken gzip data.
    layer_digests: tuple[str | None, ...]
    # The layers whose content is not the config's diff id at their position, count mismatches
    # included; () when config_missing (nothing to compare with). Missing layers are not in it.
    corrupt_layers: tuple[CorruptLayer, ...]


@dataclass(frozen=True)
class ArchiveContents:
    """What a ``docker save`` archive holds.

    >>> node = ArchivedImage(("mine/node:latest",), (), (), (), False, (), ())
    >>> contents = ArchiveContents("docker", (node,), 7)
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
        with open_regular_file(Path(path)) as handle:  # a FIFO would block the read
            return tarfile.is_tarfile(handle)
    except (
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        lzma.LZMAError,
        tarfile.TarError,
        NotARegularFile,
    ):
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


@dataclass(frozen=True)
class _Hashes:
    """What a regular member's bytes hash to, as ``sha256:<hex>``."""

    stored: str  # the bytes as the archive holds them: an OCI blob's name says what it must be
    uncompressed: str | None  # inflated when gzip'd, else as stored: a layer's diff id; None when
    # the gzip data is broken


class _InflatedHash:
    """The sha256 of what gzip data inflates to, fed chunk by chunk as it streams by.

    Inflation is bounded (at most ``_HASH_CHUNK`` bytes out per step), so a small gzip of
    zeros that inflates to gigabytes costs no more memory than a plain layer.  Concatenated
    gzip members (pigz, ``cat a.gz b.gz``) are one stream, as Go's gzip reader, which Docker
    uses, reads them.
    """

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._inflater = zlib.decompressobj(_GZIP_WBITS)
        self._broken = False

    def update(self, chunk: bytes) -> None:
        if self._broken:
            return
        try:
            self._inflate(chunk)
        except zlib.error:  # damaged, or not gzip after all: no diff id can be computed
            self._broken = True

    def _inflate(self, data: bytes) -> None:
        while True:
            out = self._inflater.decompress(data, _HASH_CHUNK)
            self._hash.update(out)
            if self._inflater.eof:
                data = self._inflater.unused_data
                if not data:
                    return
                self._inflater = zlib.decompressobj(_GZIP_WBITS)  # the next gzip member
                continue
            data = self._inflater.unconsumed_tail
            if not data and len(out) < _HASH_CHUNK:  # a full output may leave more pending
                return

    def digest(self) -> str | None:
        """None when the data was damaged or stopped before its gzip trailer."""
        if self._broken or not self._inflater.eof:
            return None
        return f"sha256:{self._hash.hexdigest()}"


def _hashed(head: bytes, rest: Iterable[bytes]) -> _Hashes:
    """What a member whose content is ``head`` then ``rest`` hashes to, as stored and
    uncompressed; gzip is told by its magic bytes, as Docker's own loader does."""
    stored = hashlib.sha256()
    inflated = _InflatedHash() if head.startswith(_GZIP_MAGIC) else None
    for chunk in itertools.chain((head,), rest):
        stored.update(chunk)
        if inflated is not None:
            inflated.update(chunk)
    digest = f"sha256:{stored.hexdigest()}"
    return _Hashes(digest, inflated.digest() if inflated is not None else digest)


@dataclass
class _Scan:
    """Member names from one pass over the archive, the small JSON members' bytes, and what
    every regular member hashes to."""

    member_count: int = 0
    hashes: dict[str, _Hashes] = field(default_factory=dict)  # regular files
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
        return self.resolve(_member_path(name)) in self.hashes

    def hashes_of(self, name: str) -> _Hashes | None:
        """What the regular file ``name`` (or the one a link leads to) hashes to."""
        return self.hashes.get(self.resolve(_member_path(name)))

    def load(self, name: str) -> Any:
        """The parsed JSON member ``name``; ArchiveError when it is there but not readable JSON."""
        target = self.resolve(_member_path(name))
        if target in self.oversized:
            raise ArchiveError(
                f"unreadable archive: {name} is larger than {MAX_JSON_MEMBER >> 20} MiB"
            )
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
    with open_regular_file(path) as raw:
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
                while stream.read(
                    _DRAIN
                ):  # to the compressed stream's end, which checks its trailer
                    pass
    except EOFError:  # from GzipFile & co., which read ahead: where it stops is approximate
        where = f"around {current}" if current else "before the first member"
        raise ArchiveError(f"truncated archive: the compressed data stops short, {where}") from None
    except (zlib.error, lzma.LZMAError):
        raise ArchiveError(
            f"unreadable archive: corrupt compressed data after {current or 'the start'}"
        ) from None
    except OSError as exc:  # also gzip's BadGzipFile (a CRC that does not match)
        raise ArchiveError(f"unreadable archive: {exc.strerror or exc}") from None
    except NotARegularFile as exc:
        raise ArchiveError(f"unreadable archive: {exc}") from None
    except tarfile.TarError as exc:
        raise ArchiveError(_translate(str(exc), current, scan)) from None
    if ends and not isinstance(ends[-1], tarfile.EOFHeaderError):
        if isinstance(ends[-1], (tarfile.EmptyHeaderError, tarfile.TruncatedHeaderError)):
            raise ArchiveError(
                f"truncated archive: it ends after {current} without the end-of-archive marker"
            )
        raise ArchiveError(f"unreadable archive: {ends[-1]} after {current}")
    return scan


def _record(scan: _Scan, tar: tarfile.TarFile, info: tarfile.TarInfo) -> None:
    name = _member_path(info.name)
    if info.issym():
        scan.links[name] = _member_path(posixpath.join(posixpath.dirname(name), info.linkname))
    elif info.islnk():
        scan.links[name] = _member_path(info.linkname)
    elif info.isreg():
        scan.json.pop(name, None)  # a later member of the same name replaces the earlier one
        scan.oversized.discard(name)
        scan.hashes[name] = _read_regular(scan, tar, info, name)


def _read_regular(scan: _Scan, tar: tarfile.TarFile, info: tarfile.TarInfo, name: str) -> _Hashes:
    """Hashes a regular member, keeping its bytes when it is small JSON (a config, a manifest):
    a layer is hashed chunk by chunk as it streams by, never held."""
    reader = tar.extractfile(info)
    assert reader is not None  # a regular member always has its content
    head = _read_exactly(reader, min(info.size, _PEEK))
    if info.size > MAX_JSON_MEMBER:
        scan.oversized.add(name)
    elif _looks_like_json(head):
        data = head + _read_exactly(reader, info.size - len(head))
        _keep_json(scan, name, data)
        return _hashed(data, ())
    return _hashed(head, _chunks(reader, info.size - len(head)))


def _looks_like_json(head: bytes) -> bool:
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[")


def _keep_json(scan: _Scan, name: str, data: bytes) -> None:
    scan.json_bytes += len(data)
    if scan.json_bytes > MAX_JSON_TOTAL:
        raise ArchiveError(
            f"unreadable archive: more than {MAX_JSON_TOTAL >> 20} MiB of JSON members"
        )
    scan.json[name] = data


def _chunks(reader: BinaryIO, size: int) -> Iterator[bytes]:
    while size > 0:
        chunk = _read_exactly(reader, min(size, _HASH_CHUNK))
        size -= len(chunk)
        yield chunk


def _read_exactly(reader: BinaryIO, size: int) -> bytes:
    data = reader.read(size)
    if len(data) != size:  # the archive ends inside the member
        raise tarfile.ReadError("unexpected end of data")
    return data


def _truncated(current: str) -> str:
    if not current:
        return "truncated archive: it ends before its first member"
    return f"truncated archive: it ends in the middle of {current}"


def _translate(message: str, current: str, scan: _Scan) -> str:
    """A one-line ArchiveError message for what tarfile raised in stream mode."""
    if "unexpected end of data" in message:
        return _truncated(current)
    if scan.member_count == 0:
        return (
            "not a tar archive: the file is empty"
            if message == "empty file"
            else f"not a tar archive: {message}"
        )
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


def _from_descriptor(
    scan: _Scan, descriptor: Any, tags: tuple[str, ...], depth: int
) -> list[ArchivedImage]:
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
            raise ArchiveError(
                f"unreadable archive: index.json names {path}, which is not in the archive"
            )
        return []  # one platform of a multi-platform index: Docker saves only the platforms it has
    document = scan.load(path)
    if not isinstance(document, dict):
        raise ArchiveError(f"unreadable archive: {path} is not a manifest or an index")
    media_type = descriptor.get("mediaType") or document.get("mediaType")
    if media_type in _INDEX_TYPES or (media_type is None and "manifests" in document):
        children = document.get("manifests")
        if not isinstance(children, list):
            raise ArchiveError(f"unreadable archive: index {path} has no manifests list")
        return [
            image for child in children for image in _from_descriptor(scan, child, tags, depth + 1)
        ]
    if media_type in _MANIFEST_TYPES or (media_type is None and "config" in document):
        config = document.get("config")
        layers = document.get("layers")
        if not isinstance(config, dict) or not isinstance(layers, list):
            raise ArchiveError(f"unreadable archive: manifest {path} lacks config or layers")
        layer_paths = tuple(
            _blob_path(layer.get("digest") if isinstance(layer, dict) else None) for layer in layers
        )
        return [_image(scan, tags, _blob_path(config.get("digest")), layer_paths)]
    return []  # some other artifact (a signature, a helm chart): no image


def _image(
    scan: _Scan, tags: tuple[str, ...], config: str, layers: tuple[str, ...]
) -> ArchivedImage:
    config_missing = not scan.is_file(config)
    diff_ids: tuple[str, ...] = ()
    if not config_missing:
        document = scan.load(config)
        rootfs = document.get("rootfs") if isinstance(document, dict) else None
        diff_ids = _strings(
            rootfs.get("diff_ids") if isinstance(rootfs, dict) else None,
            f"rootfs.diff_ids of config {config}",
            required=True,
        )
    layers = tuple(_member_path(layer) for layer in layers)
    hashes = tuple(scan.hashes_of(layer) for layer in layers)
    return ArchivedImage(
        tags=_unique(tuple(normalize(tag) for tag in tags)),
        diff_ids=diff_ids,
        layers=layers,
        missing_layers=tuple(layer for layer, found in zip(layers, hashes) if found is None),
        config_missing=config_missing,
        layer_digests=tuple(found.uncompressed if found else None for found in hashes),
        corrupt_layers=() if config_missing else _corrupt_layers(layers, hashes, diff_ids),
    )


def _corrupt_layers(
    layers: tuple[str, ...], hashes: tuple[_Hashes | None, ...], diff_ids: tuple[str, ...]
) -> tuple[CorruptLayer, ...]:
    """Each layer against the config's diff id at its position, as ``docker load`` checks them."""
    corrupt = []
    for position in range(1, max(len(layers), len(diff_ids)) + 1):
        expected = diff_ids[position - 1] if position <= len(diff_ids) else None
        if position > len(layers):
            corrupt.append(CorruptLayer(position, "", expected, None, "no-layer"))
            continue
        path, found = layers[position - 1], hashes[position - 1]
        if found is None:
            continue  # missing: missing_layers says so
        problem = _layer_problem(path, found, expected)
        if problem == "blob-name":
            corrupt.append(
                CorruptLayer(position, path, _digest_in_name(path), found.stored, problem)
            )
        elif problem is not None:
            corrupt.append(CorruptLayer(position, path, expected, found.uncompressed, problem))
    return tuple(corrupt)


def _layer_problem(path: str, found: _Hashes, expected: str | None) -> LayerProblem | None:
    if expected is None:
        return "no-diff-id"
    if found.uncompressed is None:
        return "gzip"
    if found.uncompressed != expected:
        return "content"
    named = _digest_in_name(path)
    if named is not None and named != found.stored:
        return "blob-name"  # right content, yet not the blob the manifest's digest names
    return None


def _digest_in_name(path: str) -> str | None:
    """``blobs/sha256/<hex>`` -> ``sha256:<hex>``, the digest its bytes must have; None for other
    names (classic ``<id>/layer.tar``) and other algorithms, which are not hashed."""
    encoded = posixpath.basename(path)
    if posixpath.dirname(path) != "blobs/sha256" or len(encoded) != 64:
        return None
    return f"sha256:{encoded}"


def _oci_tags(annotations: dict[str, Any]) -> tuple[str, ...]:
    """``io.containerd.image.name`` is a full reference; ``org.opencontainers.image.ref.name`` is
    a full reference (podman) or just a tag (Docker, skopeo): a bare tag names no repository and
    gives no tag of its own."""
    tags = []
    for key in (_CONTAINERD_NAME, _OCI_REF_NAME):
        value = annotations.get(key)
        if (
            isinstance(value, str)
            and value
            and ("/" in value or ":" in value or key == _CONTAINERD_NAME)
        ):
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
