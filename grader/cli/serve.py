from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from grader.cli.options import exercises_option, lang_option
from grader.errors import UsageError


@click.command()
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--state",
    "state_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="The class's folder: tokens.csv, instructor.txt, and the SQLite database.",
)
@click.option(
    "--db",
    default=None,
    metavar="URL",
    help="postgresql://USER:PASSWORD@HOST/DB: a PostgreSQL database, which several serve "
    "processes may share [default: SQLite in --state].",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--certfile", type=click.Path(exists=True, dir_okay=False), help="HTTPS: the certificate."
)
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), help="HTTPS: its key.")
@click.option(
    "--public-url",
    default=None,
    metavar="URL",
    help="The address students reach this server at, for their commands "
    "[default: from --host and --port].",
)
@click.option(
    "--stuck-after",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="A student whose first failing check stays the same this long is flagged stuck.",
)
@click.option(
    "--export",
    "export_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="GRADES_DIR",
    help="Serve nothing: write each student's latest grading as batch --out does.",
)
@lang_option
@exercises_option
def serve(
    *,
    roster: Path,
    state_dir: Path,
    db: str | None,
    host: str,
    port: int,
    certfile: str | None,
    keyfile: str | None,
    public_url: str | None,
    stuck_after: float,
    export_dir: Path | None,
    lang: str | None,
    exercise_packs: tuple[Path, ...],
) -> None:
    """Serve a lab session's class board: students' `watch --class` send their gradings,
    the instructor watches the whole class live (ROSTER: a CSV with student_id and name;
    batch's roster serves as it is).

    The first start issues tokens: DIR/tokens.csv has each student's command, DIR/instructor.txt
    the board's address and the instructor's token. Ctrl-C stops the server.
    """
    from datetime import timedelta

    from grader.classroom.opening import open_class

    if bool(certfile) != bool(keyfile):
        raise UsageError("--certfile and --keyfile go together")
    https = bool(certfile)
    url = (public_url or _url(host, port, https)).rstrip("/")
    opened = open_class(roster, state_dir, db, url, exercise_packs)
    if export_dir is not None:
        from grader.classroom.export import export_grades
        from grader.cli.options import resolve_lang

        result = export_grades(
            opened.store, opened.roster, opened.outline, export_dir, lang=resolve_lang(lang)
        )
        click.echo(
            f"{len(result.graded)} of {len(result.rows)} students' latest gradings written "
            f"to {export_dir}"
        )
        return
    import uvicorn

    from grader.classroom.app import ClassServer, create_app

    server = ClassServer(
        store=opened.store,
        outline=opened.outline,
        roster_ids=[student.student_id for student in opened.roster],
        lang=lang,
        stuck_after=timedelta(seconds=stuck_after),
        https=https,
    )
    if opened.new_students:
        click.echo(f"{opened.new_students} student tokens issued: {state_dir / 'tokens.csv'}")
    if not https and not _loopback(host):
        click.echo(
            f"docker-grade: warning: {host} is beyond loopback and there is no --certfile: "
            "tokens would cross the room's network in clear",
            err=True,
        )
    click.echo(f"class board: {url}/ (log in with the token in {state_dir / 'instructor.txt'})")
    config = uvicorn.Config(
        create_app(server),
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        log_level="warning",
        access_log=False,
    )
    # bound here, so that a taken port is one line and exit 2, not uvicorn's log and exit 3
    uvicorn.Server(config).run(sockets=[_listening(host, port)])


def _listening(host: str, port: int):
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as error:
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.set_inheritable(True)
    return listener


def _url(host: str, port: int, https: bool) -> str:
    shown = host if host not in ("0.0.0.0", "::") else _this_host()
    if ":" in shown:
        shown = f"[{shown}]"
    return f"{'https' if https else 'http'}://{shown}:{port}"


def _this_host() -> str:
    import socket

    return socket.getfqdn()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
