"""image-save: the archive ``docker save`` wrote, read as a stream and matched to the image."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.artifacts.archive import ArchiveContents, ArchiveError, is_tar, read_archive
from grader.checking import Undecided, check, expect, fail, t
from grader.engine.references import normalize


@pytest.fixture(scope="module")
def archive_path(params) -> Path:
    return Path(params["archive"]).expanduser().resolve()


@pytest.fixture(scope="module")
def contents(archive_path) -> ArchiveContents | ArchiveError:
    """The archive read once (a 1 GB one is streamed, not loaded), or why it could not be."""
    try:
        return read_archive(archive_path)
    except ArchiveError as error:
        return error


@check("archive-exists")
def check_archive_exists(archive_path, verdict):
    verdict.evidence(archive=str(archive_path))
    expect(archive_path.is_file(), t("no archive there", "pas d'archive à cet endroit"),
           expected=str(archive_path), found=t("no such file", "fichier absent"))
    verdict.evidence(size=archive_path.stat().st_size)
    expect(is_tar(archive_path), t("not a tar archive", "pas une archive tar"),
           expected=t("a tar file (docker save -o)", "un fichier tar (docker save -o)"),
           found=t("{n} bytes of something else", "{n} octets d'autre chose")
           .format(n=archive_path.stat().st_size))


@check("archive-valid")
def check_archive_valid(contents, verdict):
    if isinstance(contents, ArchiveError):
        fail(t("not a complete image archive", "pas une archive d'image complète"),
             expected=t("manifest.json or index.json with all their layers",
                        "manifest.json ou index.json avec toutes leurs couches"),
             found=str(contents))
    verdict.evidence(layout=contents.layout, images=[list(i.tags) for i in contents.images])
    broken = [(image, list(image.missing_layers)) for image in contents.images
              if image.missing_layers or image.config_missing]
    expect(contents.images and not broken, t("layers are missing", "des couches manquent"),
           expected=t("every layer named by the manifest", "chaque couche citée par le manifeste"),
           found=t("missing: {m}", "manquant : {m}").format(
               m="; ".join(f"{', '.join(i.tags) or '?'}: {', '.join(m) or 'config'}"
                           for i, m in broken) or t("no image", "aucune image")))
    verdict.note(t("{layout} layout, {n} image(s)", "format {layout}, {n} image(s)")
                 .format(layout=contents.layout, n=len(contents.images)))


@check("archive-tagged")
def check_archive_tagged(contents, params, verdict):
    tags = sorted(tag for image in contents.images for tag in image.tags)
    verdict.evidence(tags=tags)
    expect(normalize(params["image"]) in tags, t("the archive does not carry the tag",
                                                 "l'archive ne porte pas le tag"),
           expected=normalize(params["image"]), found=tags)


@check("archive-matches-image")
def check_archive_matches_image(contents, snapshot, params, verdict):
    local = snapshot.image(params["image"])
    if local is None:
        raise Undecided(t("no local image {i} to compare the archive with",
                          "pas d'image locale {i} à comparer avec l'archive").format(i=params["image"]))
    # The image saved: any image of the archive (one saved by id carries no tag) whose
    # layers are the local image's.
    same = [image for image in contents.images if image.diff_ids == local.diff_ids]
    verdict.evidence(local_image=local.id[:19], local_layers=len(local.diff_ids),
                     archived=[{"tags": list(i.tags), "layers": len(i.diff_ids)} for i in contents.images])
    closest = max(contents.images, key=lambda i: len(set(i.diff_ids) & set(local.diff_ids)))
    expect(bool(same), t("the archive holds another image than the local {i}",
                         "l'archive contient une autre image que {i} en local").format(i=params["image"]),
           expected=t("the {n} layers of {id}", "les {n} couches de {id}")
           .format(n=len(local.diff_ids), id=local.id[:19]),
           found=t("{n} layers, {same} of them in common", "{n} couches, dont {same} en commun")
           .format(n=len(closest.diff_ids), same=len(set(closest.diff_ids) & set(local.diff_ids))))
