"""image-save: the archive ``docker save`` wrote, read as a stream and matched to the image."""

from __future__ import annotations

from pathlib import Path

from grader.kit import (
    ArchiveContents,
    ArchivedImage,
    ArchiveError,
    CorruptLayer,
    Localized,
    Undecided,
    check,
    expect,
    fail,
    fixture,
    is_tar,
    normalize,
    read_archive,
    t,
)

_MAX_LISTED = 3  # corrupt layers spelled out in a message; the evidence lists them all

_PROBLEMS = {
    "content": t("expected {expected} found {found}", "attendu {expected}, trouvé {found}"),
    "gzip": t(
        "gzip-compressed data that does not inflate (cut short or damaged), expected {expected}",
        "des données gzip qui ne se décompressent pas (tronquées ou abîmées), attendu {expected}",
    ),
    "blob-name": t(
        "the blob's bytes hash to {found}, not to {expected}, the digest it is named after",
        "les octets du blob ont pour hash {found}, pas {expected}, le digest qui le nomme",
    ),
    "no-diff-id": t(
        "no diff id for it in the config (found {found})",
        "aucun diff id pour elle dans la config (trouvé {found})",
    ),
    "no-layer": t(
        "the config lists diff id {expected}, the manifest no layer",
        "la config cite le diff id {expected}, le manifeste aucune couche",
    ),
}


@fixture(scope="module")
def archive_path(params) -> Path:
    return Path(params["archive"]).expanduser().resolve()


@fixture(scope="module")
def contents(archive_path) -> ArchiveContents | ArchiveError:
    """The archive read once (a 1 GB one is streamed, not loaded), or why it could not be."""
    try:
        return read_archive(archive_path)
    except ArchiveError as error:
        return error


@check("archive-exists")
def check_archive_exists(archive_path, verdict):
    verdict.evidence(archive=str(archive_path))
    expect(
        archive_path.is_file(),
        t("no archive there", "pas d'archive à cet endroit"),
        expected=str(archive_path),
        found=t("no such file", "fichier absent"),
    )
    verdict.evidence(size=archive_path.stat().st_size)
    expect(
        is_tar(archive_path),
        t("not a tar archive", "pas une archive tar"),
        expected=t("a tar file (docker save -o)", "un fichier tar (docker save -o)"),
        found=t("{n} bytes of something else", "{n} octets d'autre chose").format(
            n=archive_path.stat().st_size
        ),
    )


@check("archive-valid")
def check_archive_valid(contents, verdict):
    if isinstance(contents, ArchiveError):
        fail(
            t("not a complete image archive", "pas une archive d'image complète"),
            expected=t(
                "manifest.json or index.json with all their layers",
                "manifest.json ou index.json avec toutes leurs couches",
            ),
            found=str(contents),
        )
    verdict.evidence(layout=contents.layout, images=[list(i.tags) for i in contents.images])
    broken = [
        (image, list(image.missing_layers))
        for image in contents.images
        if image.missing_layers or image.config_missing
    ]
    expect(
        contents.images and not broken,
        t("layers are missing", "des couches manquent"),
        expected=t("every layer named by the manifest", "chaque couche citée par le manifeste"),
        found=t("missing: {m}", "manquant : {m}").format(
            m="; ".join(f"{_names(i)}: {', '.join(m) or 'config'}" for i, m in broken)
            or t("no image", "aucune image")
        ),
    )
    corrupt = [(image, layer) for image in contents.images for layer in image.corrupt_layers]
    if corrupt:
        verdict.evidence(
            corrupt_layers=[_corrupt_evidence(image, layer) for image, layer in corrupt]
        )
    expect(
        not corrupt,
        t(
            "layers are empty or altered: their content is not the image's",
            "des couches sont vides ou modifiées : leur contenu n'est pas celui de l'image",
        ),
        expected=t(
            "each layer's content hashing to its diff id (sha256 of the uncompressed layer)",
            "le contenu de chaque couche dont le hash est son diff id (sha256 de la couche "
            "décompressée)",
        ),
        found=_joined(
            [_describe(image, layer) for image, layer in corrupt[:_MAX_LISTED]]
            + _more(len(corrupt) - _MAX_LISTED)
        ),
    )
    verdict.note(
        t("{layout} layout, {n} image(s)", "format {layout}, {n} image(s)").format(
            layout=contents.layout, n=len(contents.images)
        )
    )


@check("archive-tagged")
def check_archive_tagged(contents, params, verdict):
    tags = sorted(tag for image in contents.images for tag in image.tags)
    verdict.evidence(tags=tags)
    expect(
        normalize(params["image"]) in tags,
        t("the archive does not carry the tag", "l'archive ne porte pas le tag"),
        expected=normalize(params["image"]),
        found=tags,
    )


@check("archive-matches-image")
def check_archive_matches_image(contents, snapshot, params, verdict):
    local = snapshot.image(params["image"])
    if local is None:
        raise Undecided(
            t(
                "no local image {i} to compare the archive with",
                "pas d'image locale {i} à comparer avec l'archive",
            ).format(i=params["image"])
        )
    if isinstance(contents, ArchiveError) or not contents.images:
        # Judged even when archive-valid fails: an archive whose layers are not the image's
        # (emptied, altered) is not an archive of this image.
        fail(
            t(
                "no image in the archive to compare with {i}",
                "aucune image dans l'archive à comparer avec {i}",
            ).format(i=params["image"]),
            expected=t("the layers of {i}", "les couches de {i}").format(i=params["image"]),
            found=str(contents)
            if isinstance(contents, ArchiveError)
            else t("no image", "aucune image"),
        )
    # The image saved: any image of the archive (one saved by id carries no tag) whose layers
    # hash to the local image's diff ids; what its config claims is not evidence.
    same = [image for image in contents.images if image.layer_digests == local.diff_ids]
    verdict.evidence(
        local_image=local.id[:19],
        local_layers=len(local.diff_ids),
        archived=[{"tags": list(i.tags), "layers": len(i.layers)} for i in contents.images],
    )
    closest = max(contents.images, key=lambda i: _in_common(i, local.diff_ids))
    expect(
        bool(same),
        t(
            "the archive holds another image than the local {i}",
            "l'archive contient une autre image que {i} en local",
        ).format(i=params["image"]),
        expected=t("the {n} layers of {id}", "les {n} couches de {id}").format(
            n=len(local.diff_ids), id=local.id[:19]
        ),
        found=t(
            "{n} layers, {same} of them in common", "{n} couches, dont {same} en commun"
        ).format(n=len(closest.layers), same=_in_common(closest, local.diff_ids)),
    )


def _in_common(image: ArchivedImage, diff_ids: tuple[str, ...]) -> int:
    """How many of ``diff_ids`` the archived image's layers really are (by content)."""
    return len(set(image.layer_digests) & set(diff_ids))


# --- describing what is wrong -----------------------------------------------------------------


def _names(image: ArchivedImage) -> str:
    return ", ".join(image.tags) or "?"


def _short(digest: str | None) -> str:
    return f"{digest[:19]}…" if digest else "?"


def _describe(image: ArchivedImage, layer: CorruptLayer) -> Localized:
    """``layer 2 (abc/layer.tar) of mine/node:latest: expected sha256:ab12… found sha256:e3b0…
    (empty)``"""
    if layer.path:
        where = t("layer {n} ({path}) of {image}", "couche {n} ({path}) de {image}")
    else:  # a diff id no layer stands for
        where = t("layer {n} of {image}", "couche {n} de {image}")
    what = _PROBLEMS[layer.problem].format(
        expected=_short(layer.expected), found=_short(layer.found)
    )
    if layer.empty:
        what = t("{what} (empty)", "{what} (vide)").format(what=what)
    return t("{where}: {what}", "{where} : {what}").format(
        where=where.format(n=layer.position, path=layer.path, image=_names(image)), what=what
    )


def _more(count: int) -> list[Localized]:
    return [t("and {n} more", "et {n} autre(s)").format(n=count)] if count > 0 else []


def _joined(texts: list[Localized]) -> Localized:
    return Localized(
        en="; ".join(text.en for text in texts), fr="; ".join(text.fr for text in texts)
    )


def _corrupt_evidence(image: ArchivedImage, layer: CorruptLayer) -> dict[str, object]:
    return {
        "image": list(image.tags),
        "position": layer.position,
        "layer": layer.path,
        "problem": layer.problem,
        "expected": layer.expected,
        "found": layer.found,
    }
