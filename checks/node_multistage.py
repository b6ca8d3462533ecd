"""node-multistage: the student's Dockerfile, the image built from it, and its container."""

from __future__ import annotations

import os
from pathlib import Path

from grader.kit import (
    HOST,
    APIError,
    Container,
    Dockerfile,
    DockerfileError,
    Image,
    NotApplicable,
    Probe,
    Snapshot,
    Undecided,
    check,
    expect,
    fail,
    first_log_line_within,
    fixture,
    http_answer,
    http_found,
    http_get,
    is_root,
    lint,
    note_http_wait,
    parse_dockerfile,
    probe_plan,
    startup_deadline,
    startup_wait_s,
    t,
)

_ANY_ADDRESS = ("", "0.0.0.0", "::")


def _dockerfile_path(params) -> Path:
    """``Dockerfile``, or ``dockerfile``, which docker build also takes. Only names are looked
    at here, nothing is opened: whatever the name holds (a FIFO, a folder), parse_dockerfile
    refuses it without blocking, and says why."""
    folder = Path(params["context"]).expanduser().resolve()
    upper, lower = folder / "Dockerfile", folder / "dockerfile"
    return lower if not os.path.lexists(upper) and os.path.lexists(lower) else upper


def _bindings(container: Container, params) -> list[dict]:
    return container.published_ports.get(f"{params['container_port']}/tcp") or []


def _published(container: Container, params) -> dict | None:
    """The binding of container_port to host_port, if there is one."""
    return next(
        (b for b in _bindings(container, params) if b.get("HostPort") == str(params["host_port"])),
        None,
    )


def _containers(snapshot: Snapshot, params) -> list[Container]:
    """Running containers of the image, the one publishing the right port first."""
    running = [c for c in snapshot.running() if snapshot.runs_image(c, params["image"])]
    return sorted(running, key=lambda c: _published(c, params) is None)


def _url(binding: dict, params) -> str:
    host_ip = binding.get("HostIp") or ""
    address = "127.0.0.1" if host_ip in _ANY_ADDRESS else host_ip
    if ":" in address:  # an IPv6 address (-p [::1]:8181:8080) goes in brackets in a URL
        address = f"[{address}]"
    return f"http://{address}:{params['host_port']}/"


@probe_plan
def page_request(snapshot: Snapshot, params) -> Probe | None:
    """GET / on the published port, from the engine's host (none when it is not published)."""
    containers = _containers(snapshot, params)
    binding = _published(containers[0], params) if containers else None
    if binding is None:
        return None
    return http_get(
        _url(binding, params), netns=HOST, retry_until=startup_deadline(snapshot, containers[0])
    )


@fixture(scope="module")
def dockerfile(params) -> Dockerfile | DockerfileError:
    try:
        return parse_dockerfile(_dockerfile_path(params))
    except DockerfileError as error:
        return error


@fixture
def image(snapshot, params) -> Image:
    found = snapshot.image(params["image"])
    if found is None:
        raise NotApplicable(
            t("no image {i} (see image-built)", "pas d'image {i} (voir image-built)").format(
                i=params["image"]
            )
        )
    return found


@fixture
def container(snapshot, params) -> Container:
    containers = _containers(snapshot, params)
    if not containers:
        raise NotApplicable(
            t(
                "no running container of {i} (see container-running)",
                "aucun conteneur de {i} en marche (voir container-running)",
            ).format(i=params["image"])
        )
    return containers[0]


@check("dockerfile-multistage")
def check_dockerfile_multistage(dockerfile, params, verdict):
    verdict.evidence(dockerfile=str(_dockerfile_path(params)))
    if isinstance(dockerfile, DockerfileError):
        fail(
            t("no readable Dockerfile", "pas de Dockerfile lisible"),
            expected=t("a Dockerfile in {d}", "un Dockerfile dans {d}").format(d=params["context"]),
            found=str(dockerfile),
        )
    stages = [f"{s.base}" + (f" AS {s.name}" if s.name else "") for s in dockerfile.stages]
    verdict.evidence(stages=stages)
    expect(
        dockerfile.is_multistage,
        t("a single stage", "une seule étape"),
        expected=t("at least two FROM", "au moins deux FROM"),
        found=stages,
    )
    expect(
        dockerfile.copies_from_earlier_stage(),
        t(
            "the last stage copies nothing from an earlier one",
            "la dernière étape ne copie rien d'une étape précédente",
        ),
        expected="COPY --from=<stage>",
        found=t("no such COPY", "aucun COPY de ce type"),
    )


@check("dockerfile-lint")
def check_dockerfile_lint(dockerfile, lang, verdict):
    if isinstance(dockerfile, DockerfileError):
        if "no such file" in str(dockerfile):
            raise NotApplicable(
                t(
                    "no Dockerfile (see dockerfile-multistage)",
                    "pas de Dockerfile (voir dockerfile-multistage)",
                )
            )
        fail(
            t("the Dockerfile does not parse", "le Dockerfile ne s'analyse pas"),
            expected=t("a valid Dockerfile", "un Dockerfile valide"),
            found=str(dockerfile),
        )
    findings = lint(dockerfile)
    verdict.evidence(
        findings=[{"rule": f.rule, "line": f.line, "blocking": f.blocking} for f in findings]
    )
    blocking = [f for f in findings if f.blocking]
    described = [
        t("line {n}: {m} (fix: {f})", "ligne {n} : {m} (correction : {f})").format(
            n=f.line, m=f.message, f=f.fix
        )
        for f in findings
    ]
    if blocking:
        fail(
            t("blocking mistakes", "erreurs bloquantes"),
            expected=t("none", "aucune"),
            found=[d for d, f in zip(described, findings) if f.blocking],
        )
    for note in described:
        verdict.note(t("warning: {n}", "avertissement : {n}").format(n=note))


@check("image-built")
def check_image_built(snapshot, params, verdict):
    found = snapshot.image(params["image"])
    expect(
        found is not None,
        t("no such image", "image introuvable"),
        expected=params["image"],
        found=t("nothing with that name (docker images)", "rien de ce nom (docker images)"),
    )
    verdict.evidence(image=found.id[:19], tags=list(found.tags), created=found.created)


@check("image-non-root")
def check_image_non_root(image, verdict):
    verdict.evidence(user=image.user or "(unset: root)")
    expect(
        not is_root(image.user),
        t("the image runs as root", "l'image tourne en root"),
        expected="USER node",
        found=image.user or t("no USER (root)", "pas de USER (root)"),
    )


@check("image-exposes")
def check_image_exposes(image, params, verdict):
    wanted = f"{params['container_port']}/tcp"
    verdict.evidence(exposed=list(image.exposed_ports))
    expect(
        wanted in image.exposed_ports,
        t("port not exposed", "port non exposé"),
        expected=f"EXPOSE {params['container_port']}",
        found=list(image.exposed_ports),
    )


@check("image-cmd")
def check_image_cmd(image, verdict):
    verdict.evidence(cmd=list(image.cmd or ()), entrypoint=list(image.entrypoint or ()))
    if image.cmd and image.cmd[:2] == ("/bin/sh", "-c"):
        fail(
            t("CMD is in shell form", "CMD est en forme shell"),
            expected='CMD ["node", "index.js"]',
            found=f"CMD {image.cmd[2] if len(image.cmd) > 2 else ''}",
        )
    expect(
        image.cmd == ("node", "index.js"),
        t("another command", "une autre commande"),
        expected='["node", "index.js"]',
        found=list(image.cmd or ()),
    )


@check("container-running")
def check_container_running(snapshot, params, verdict):
    containers = _containers(snapshot, params)
    others = [
        f"{c.describe()}: {c.status}"
        for c in snapshot.containers
        if snapshot.runs_image(c, params["image"])
    ]
    if not containers:
        fail(
            t("no running container of {i}", "aucun conteneur de {i} en marche").format(
                i=params["image"]
            ),
            expected=f"docker run -d -p {params['host_port']}:{params['container_port']} "
            f"{params['image']}",
            found=others or t("no container of that image", "aucun conteneur de cette image"),
        )
    verdict.evidence(container=containers[0].describe(), running=[c.describe() for c in containers])


@check("port-published")
def check_port_published(container, params, verdict):
    published = {
        port: [f"{b.get('HostIp') or '*'}:{b.get('HostPort')}" for b in bindings or []]
        for port, bindings in container.published_ports.items()
        if bindings
    }
    verdict.evidence(container=container.describe(), published=published)
    expect(
        _published(container, params) is not None,
        t("port {h} does not lead to {c}", "le port {h} ne mène pas à {c}").format(
            h=params["host_port"], c=params["container_port"]
        ),
        expected=f"-p {params['host_port']}:{params['container_port']}",
        found=[f"{host} -> {port}" for port, hosts in published.items() for host in hosts],
    )


@check("http-responds")
def check_http_responds(container, page_request, probes, verdict):
    url = page_request.command[-1]
    verdict.evidence(container=container.describe(), url=url, probe="wget on the engine's host")
    answer = http_answer(probes, page_request)
    verdict.evidence(http_status=answer.status)
    expect(
        answer.status is not None and answer.status < 500,
        t("no good HTTP answer", "pas de bonne réponse HTTP"),
        expected=t("a status below 500", "un statut inférieur à 500"),
        found=http_found(answer),
    )
    verdict.note(t("{u} answered {s}", "{u} a répondu {s}").format(u=url, s=answer.status))
    note_http_wait(verdict, answer)


# An app may write its line for a request just after answering it.
LOG_WAIT_S = 2.0


@check("logs-readable")
def check_logs_readable(container, snapshot, page_request, probes, verdict):
    """The grader's own GET counts as a line the app wrote: it is a request like any other, and
    the next grading would find its line anyway. An empty log is read again, once that GET has
    ended, for LOG_WAIT_S, or until a container that has just started has run as long as a
    server is given to start; so every grading of one state agrees."""
    verdict.evidence(container=container.describe())
    first = _first_log_line(snapshot, container, wait=0.0)
    wait = 0.0
    if first is None:
        if page_request is not None:
            probes.run(page_request)  # its answer is http-responds' business; only its end matters
        wait = max(LOG_WAIT_S if page_request else 0.0, startup_wait_s(snapshot, container))
        first = _first_log_line(snapshot, container, wait=wait)
    verdict.evidence(first_line=first)
    expect(
        first is not None,
        t("the container has written nothing", "le conteneur n'a rien écrit"),
        expected=t("at least one log line", "au moins une ligne de journal"),
        found=_empty_log(wait, after_request=page_request is not None),
    )


def _empty_log(waited: float, *, after_request: bool):
    if after_request:
        return t(
            "an empty log, read again for {w} s after the grader's own request",
            "un journal vide, relu pendant {w} s après la requête du correcteur",
        ).format(w=round(waited, 1))
    if waited:
        return t(
            "an empty log, read again for {w} s as its container had just started",
            "un journal vide, relu pendant {w} s car son conteneur venait de démarrer",
        ).format(w=round(waited, 1))
    return t("an empty log", "un journal vide")


def _first_log_line(snapshot: Snapshot, container: Container, *, wait: float) -> str | None:
    try:
        return first_log_line_within(snapshot.engine.api, container.id, wait)
    except APIError as error:
        raise Undecided(
            t("its logs cannot be read: {e}", "son journal est illisible : {e}").format(
                e=error.explanation or error
            )
        ) from None
