"""nginx-ro-volume: nginx serves the student's own page from a read-only bind mount."""

from __future__ import annotations

from grader.kit import (
    FILE_ABSENT,
    Container,
    ImageFile,
    NotApplicable,
    Probe,
    Snapshot,
    Undecided,
    check,
    expect,
    fail,
    fixture,
    host_path_exists,
    http_answer,
    http_found,
    http_get,
    netns_of,
    note_http_wait,
    probe_plan,
    read_in_container,
    run_probe,
    startup_deadline,
    t,
    write_attempt,
    write_attempt_in_copy,
)


def _container(snapshot: Snapshot, params) -> Container | None:
    return snapshot.container(params["container"])


def _page_url(snapshot: Snapshot, container: Container) -> str:
    """nginx's own port, as its image exposes it (80 unless the image says otherwise)."""
    image = snapshot.image(container.image_id)
    tcp_ports = [
        p.split("/")[0] for p in (image.exposed_ports if image else ()) if p.endswith("/tcp")
    ]
    return f"http://127.0.0.1:{tcp_ports[0] if tcp_ports else 80}/"


@probe_plan
def page_probes(snapshot: Snapshot, params) -> dict[str, Probe | ImageFile]:
    """By use: "write", the write attempt (only where the configuration says read-only: never
        into a folder the student left writable); "fetch", GET / from the container's network
        namespace, "read", its index.html as it sees it, and "default", the image's own (the three
    only while it runs)."""
    container = _container(snapshot, params)
    if container is None:
        return {}
    mount = container.mount_at(params["target"])
    planned = {"write": _write_attempt(container, mount, params)} if _read_only_bind(mount) else {}
    if container.running:
        planned.update(
            fetch=http_get(
                _page_url(snapshot, container),
                netns=netns_of(container),
                retry_until=startup_deadline(snapshot, container),
            ),
            read=read_in_container(container.id, _page_path(params)),
            default=ImageFile(container.image_id, _page_path(params)),
        )
    return planned


def _write_attempt(container: Container, mount, params):
    """From inside the running container; for a stopped one, through the same mount made
    again (a source gone from the host is reported, never re-created)."""
    if container.running:
        return write_attempt(container.id, params["target"])
    return write_attempt_in_copy(mount.source, params["target"], read_only=not mount.read_write)


def _page_path(params) -> str:
    return f"{params['target'].rstrip('/')}/index.html"


def _read_only_bind(mount) -> bool:
    return mount is not None and mount.type == "bind" and not mount.read_write


@fixture
def container(snapshot, params) -> Container:
    found = _container(snapshot, params)
    if found is None:
        raise NotApplicable(
            t(
                "no container named {n} (see container-running)",
                "aucun conteneur nommé {n} (voir container-running)",
            ).format(n=params["container"])
        )
    return found


@fixture
def mount(container, params):
    return container.mount_at(params["target"])


@check("container-running")
def check_container_running(snapshot, params, verdict):
    found = _container(snapshot, params)
    name = params["container"]
    expected = t("a running container named {n}", "un conteneur nommé {n} en marche").format(n=name)
    if found is None:
        fail(
            t("no container named {n}", "aucun conteneur nommé {n}").format(n=name),
            expected=expected,
            found=[c.name for c in snapshot.containers],
        )
    verdict.evidence(container=found.describe(), status=found.status)
    expect(
        found.running,
        t("{n} is not running", "{n} ne tourne pas").format(n=name),
        expected=expected,
        found=t("status {s}", "statut {s}").format(s=found.status),
    )


@check("image-nginx")
def check_image_nginx(container, snapshot, params, verdict):
    verdict.evidence(container=container.describe(), image=container.image_reference)
    expect(
        snapshot.runs_image(container, params["image"]),
        t("not the {i} image", "pas l'image {i}").format(i=params["image"]),
        expected=f"{params['image']}:alpine",
        found=container.image_reference,
    )
    if container.image_tag != "alpine":
        verdict.note(
            t(
                "runs {r}: fine, though the course uses nginx:alpine",
                "exécute {r} : accepté, même si le cours utilise nginx:alpine",
            ).format(r=container.image_reference)
        )


@check("bind-mount")
def check_bind_mount(container, mount, params, verdict):
    target = params["target"]
    verdict.evidence(
        container=container.describe(),
        mounts=[f"{m.type}:{m.source or m.name}->{m.destination}" for m in container.mounts],
    )
    if mount is None:
        fail(
            t("nothing is mounted at {p}", "rien n'est monté sur {p}").format(p=target),
            expected=t(
                "a host folder bind-mounted at {p}", "un dossier de l'hôte monté sur {p}"
            ).format(p=target),
            found=[m.destination for m in container.mounts],
        )
    expect(
        mount.type == "bind",
        t(
            "a {k} is mounted there, not a host folder",
            "c'est un {k} qui y est monté, pas un dossier de l'hôte",
        ).format(k=f"{mount.type} '{mount.name}'" if mount.name else mount.type),
        expected="bind",
        found=mount.type,
    )
    verdict.evidence(source=mount.source)


@check("mount-read-only")
def check_mount_read_only(container, mount, page_probes, probes, verdict):
    verdict.evidence(container=container.describe(), source=mount.source, rw=mount.read_write)
    expect(
        _read_only_bind(mount),
        t("the mount is writable", "le montage est accessible en écriture"),
        expected="ro",
        found="rw",
    )
    attempt = probes.run(page_probes["write"])
    if attempt.problem and not container.running and _removed_from_host(probes, mount.source):
        # a stopped container's mount, made again for the write, is refused: nothing to write
        _judged_by_the_record(verdict, mount)
        return
    output = run_probe(probes, page_probes["write"]).stdout
    verdict.evidence(write_attempt=output.strip())
    if "PROBE-BROKEN" in output or not ("REFUSED" in output or "WROTE" in output):
        raise Undecided(
            t(
                "the write probe did not work: {o}", "la sonde d'écriture n'a pas fonctionné : {o}"
            ).format(o=output.strip() or "no output")
        )
    if "REFUSED" in output and "No such file" in output:  # a deleted folder takes no file
        _judged_by_the_record(verdict, mount)
        return
    expect(
        "REFUSED" in output and "Read-only" in output,
        t("a write into the mount went through", "une écriture dans le montage a réussi"),
        expected=t(
            "refused: read-only file system", "refusée : système de fichiers en lecture seule"
        ),
        found=output.strip(),
    )


def _removed_from_host(probes, source: str) -> bool:
    return run_probe(probes, host_path_exists(source)).exit_code == FILE_ABSENT


def _judged_by_the_record(verdict, mount) -> None:
    """No write can be tried in a folder removed from the host, read-only or not: the
    engine's record of the mount (read-only, checked first) decides, as the rubric says."""
    verdict.note(
        t(
            "the mounted folder {s} was removed from the host, so no write could be "
            "tried: the engine's record of the mount (read-only) decides",
            "le dossier monté {s} a été supprimé de l'hôte, aucune écriture n'a pu être "
            "tentée : la configuration du montage (lecture seule) décide",
        ).format(s=mount.source)
    )


@check("custom-page")
def check_custom_page(container, mount, page_probes, probes, params, verdict):
    url = page_probes["fetch"].command[-1]
    verdict.evidence(
        container=container.describe(),
        file=f"{mount.source}/index.html",
        url=url,
        probe="wget from the container's network namespace",
    )
    page = _page_in_container(probes, page_probes["read"])
    if page is None:
        fail(
            t("no index.html in the mounted folder", "pas d'index.html dans le dossier monté"),
            expected=f"{mount.source}/index.html",
            found=t("no such file", "fichier absent"),
        )
    answer = http_answer(probes, page_probes["fetch"])
    verdict.evidence(http_status=answer.status)
    note_http_wait(verdict, answer)
    if answer.status is None:
        fail(
            t("nginx did not answer", "nginx n'a pas répondu"),
            expected=t("an HTTP answer on {u}", "une réponse HTTP sur {u}").format(u=url),
            found=http_found(answer),
        )
    default = probes.read_from_image(container.image_id, _page_path(params))
    # The default page by content, as the image itself holds it: an edited copy that keeps its
    # title is the student's own page.
    expect(
        default is None or not _same_page(answer.body, default.decode("utf-8", errors="replace")),
        t("nginx still serves its default page", "nginx sert encore sa page par défaut"),
        expected=t("your own page", "votre propre page"),
        found=t("the index.html of the image {i}", "l'index.html de l'image {i}").format(
            i=container.image_reference
        ),
    )
    expect(
        answer.status == 200 and _same_page(answer.body, page),
        t("GET / does not answer your index.html", "GET / ne renvoie pas votre index.html"),
        expected=t(
            "200 with the {n} bytes of index.html", "200 avec les {n} octets d'index.html"
        ).format(n=len(page.encode())),
        found=t("{s} with {n} bytes: {b}", "{s} avec {n} octets : {b}").format(
            s=answer.status, n=len(answer.body.encode()), b=_excerpt(answer.body)
        ),
    )


def _page_in_container(probes, read: Probe) -> str | None:
    """index.html as the running container sees it (a folder renamed since is still what it
    serves; a symlink is followed inside it, as nginx does), read by a probe that mounts
    nothing, so a missing source is never re-created; None if there is none."""
    result = run_probe(probes, read)
    if result.exit_code == FILE_ABSENT:
        return None
    if result.exit_code != 0:
        raise Undecided(
            t("the page could not be read: {e}", "la page n'a pas pu être lue : {e}").format(
                e=result.stderr.strip() or f"exit {result.exit_code}"
            )
        )
    return result.stdout


def _same_page(served: str, page: str) -> bool:
    return served.strip() == page.strip()


def _excerpt(body: str, length: int = 60) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[:length] + "…"
