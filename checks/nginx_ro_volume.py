"""nginx-ro-volume: nginx serves the student's own page from a read-only bind mount."""

from __future__ import annotations

import pytest

from grader.checking import NotApplicable, Undecided, check, expect, fail, t
from grader.engine.container import Container
from grader.engine.files import read_file
from grader.engine.snapshot import Snapshot
from grader.probes import http_get, write_attempt
from grader.probing import http_answer, netns_of, run

DEFAULT_PAGE_MARK = "Welcome to nginx!"


def _container(snapshot: Snapshot, params) -> Container | None:
    return snapshot.container(params["container"])


def _page_url(snapshot: Snapshot, container: Container) -> str:
    """nginx's own port, as its image exposes it (80 unless the image says otherwise)."""
    image = snapshot.image(container.image_id)
    tcp_ports = [p.split("/")[0] for p in (image.exposed_ports if image else ()) if p.endswith("/tcp")]
    return f"http://127.0.0.1:{tcp_ports[0] if tcp_ports else 80}/"


def planned_probes(snapshot: Snapshot, params):
    container = _container(snapshot, params)
    if container is None:
        return []
    mount = container.mount_at(params["target"])
    # A write is attempted only where the configuration says read-only: never into a folder
    # the student left writable.
    probes = [write_attempt(container.id, params["target"])] if _read_only_bind(mount) else []
    if container.running:
        probes.append(http_get(_page_url(snapshot, container), netns=netns_of(container)))
    return probes


def _read_only_bind(mount) -> bool:
    return mount is not None and mount.type == "bind" and not mount.read_write


@pytest.fixture
def container(snapshot, params) -> Container:
    found = _container(snapshot, params)
    if found is None:
        raise NotApplicable(t("no container named {n} (see container-running)",
                              "aucun conteneur nommé {n} (voir container-running)")
                            .format(n=params["container"]))
    return found


@pytest.fixture
def mount(container, params):
    return container.mount_at(params["target"])


@check("container-running")
def check_container_running(snapshot, params, verdict):
    found = _container(snapshot, params)
    name = params["container"]
    expected = t("a running container named {n}", "un conteneur nommé {n} en marche").format(n=name)
    if found is None:
        fail(t("no container named {n}", "aucun conteneur nommé {n}").format(n=name),
             expected=expected, found=[c.name for c in snapshot.containers])
    verdict.evidence(container=found.describe(), status=found.status)
    expect(found.running, t("{n} is not running", "{n} ne tourne pas").format(n=name),
           expected=expected, found=t("status {s}", "statut {s}").format(s=found.status))


@check("image-nginx")
def check_image_nginx(container, snapshot, params, verdict):
    verdict.evidence(container=container.describe(), image=container.image_reference)
    expect(snapshot.runs_image(container, params["image"]),
           t("not the {i} image", "pas l'image {i}").format(i=params["image"]),
           expected=f"{params['image']}:alpine", found=container.image_reference)
    if container.image_tag != "alpine":
        verdict.note(t("runs {r}: fine, though the course uses nginx:alpine",
                       "exécute {r} : accepté, même si le cours utilise nginx:alpine")
                     .format(r=container.image_reference))


@check("bind-mount")
def check_bind_mount(container, mount, params, verdict):
    target = params["target"]
    verdict.evidence(container=container.describe(),
                     mounts=[f"{m.type}:{m.source or m.name}->{m.destination}" for m in container.mounts])
    if mount is None:
        fail(t("nothing is mounted at {p}", "rien n'est monté sur {p}").format(p=target),
             expected=t("a host folder bind-mounted at {p}", "un dossier de l'hôte monté sur {p}")
             .format(p=target),
             found=[m.destination for m in container.mounts])
    expect(mount.type == "bind",
           t("a {k} is mounted there, not a host folder", "c'est un {k} qui y est monté, pas un "
             "dossier de l'hôte").format(k=f"{mount.type} '{mount.name}'" if mount.name else mount.type),
           expected="bind", found=mount.type)
    verdict.evidence(source=mount.source)


@check("mount-read-only")
def check_mount_read_only(container, mount, probes, params, verdict):
    verdict.evidence(container=container.describe(), source=mount.source, rw=mount.read_write)
    expect(_read_only_bind(mount), t("the mount is writable", "le montage est accessible en écriture"),
           expected="ro", found="rw")
    output = run(probes, write_attempt(container.id, params["target"])).stdout
    verdict.evidence(write_attempt=output.strip())
    if "PROBE-BROKEN" in output or not ("REFUSED" in output or "WROTE" in output):
        raise Undecided(t("the write probe did not work: {o}", "la sonde d'écriture n'a pas "
                          "fonctionné : {o}").format(o=output.strip() or "no output"))
    expect("REFUSED" in output and "Read-only" in output,
           t("a write into the mount went through", "une écriture dans le montage a réussi"),
           expected=t("refused: read-only file system", "refusée : système de fichiers en lecture seule"),
           found=output.strip())


@check("custom-page")
def check_custom_page(container, mount, probes, snapshot, params, verdict):
    page_path = f"{params['target'].rstrip('/')}/index.html"
    page = read_file(snapshot.engine.api, container.id, page_path)
    url = _page_url(snapshot, container)
    verdict.evidence(container=container.describe(), file=f"{mount.source}/index.html", url=url,
                     probe="wget from the container's network namespace")
    if page is None:
        fail(t("no index.html in the mounted folder", "pas d'index.html dans le dossier monté"),
             expected=f"{mount.source}/index.html", found=t("no such file", "fichier absent"))
    answer = http_answer(probes, url, netns=netns_of(container))
    verdict.evidence(http_status=answer.status)
    if answer.status is None:
        fail(t("nginx did not answer", "nginx n'a pas répondu"),
             expected=t("an HTTP answer on {u}", "une réponse HTTP sur {u}").format(u=url),
             found=t("no answer", "aucune réponse"))
    expect(DEFAULT_PAGE_MARK not in answer.body,
           t("nginx still serves its default page", "nginx sert encore sa page par défaut"),
           expected=t("your own page", "votre propre page"), found=DEFAULT_PAGE_MARK)
    expect(answer.status == 200 and answer.body.strip() == page.text.strip(),
           t("GET / does not answer your index.html", "GET / ne renvoie pas votre index.html"),
           expected=t("200 with the {n} bytes of index.html", "200 avec les {n} octets d'index.html")
           .format(n=page.size),
           found=t("{s} with {n} bytes: {b}", "{s} avec {n} octets : {b}").format(
               s=answer.status, n=len(answer.body.encode()), b=_excerpt(answer.body)))


def _excerpt(body: str, length: int = 60) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[:length] + "…"
