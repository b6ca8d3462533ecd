"""The class server's web app (Starlette): the students' API, the board's API and pages.

Every answer to bad input is a 4xx with ``{"error": "one sentence"}``; while the database is
away, 503 with ``Retry-After``. The contract: docs/class-server.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Awaitable, Callable

import anyio.to_thread
import sqlalchemy.exc
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from grader.classroom import pages
from grader.classroom.board import class_board, student_row
from grader.classroom.outline import CourseOutline, merged_report
from grader.classroom.store import ClassStore, Stored, now
from grader.errors import UsageError
from grader.exporters.text import TextExporter
from grader.i18n import t
from grader.languages import LANGS, Lang
from grader.report.models import SCHEMA_VERSION, Report
from grader.report.rescoring import check_schema

MAX_BODY = 1024 * 1024
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SESSION_COOKIE = "dg_session"
RATE_PER_S = 20.0  # gradings a second, per token
POLL_S = 0.2  # how often the database's revision is read (changes made by other processes)
EVENT_GAP_S = 0.25  # an open board is told of changes at most this often
KEEPALIVE_S = 15.0
WORKER_THREADS = 2
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class Refused(Exception):
    """A request answered with a 4xx (or 503) and one sentence."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class ClassServer:
    """What the app serves: the store, the course, the roster shown, and its settings."""

    store: ClassStore
    outline: CourseOutline
    roster_ids: list[str]
    lang: Lang | None = None  # None: each browser's language
    stuck_after: timedelta = timedelta(minutes=5)
    https: bool = False
    rate_per_s: float = RATE_PER_S
    feed: ChangeFeed = field(init=False)

    def __post_init__(self) -> None:
        self.feed = ChangeFeed(self.store)


class ChangeFeed:
    """The latest revision of the class, for the boards' event streams. A change made here
    wakes them at once; one made by another process sharing the database is seen at the next
    read of the revision (every POLL_S): the same path for SQLite and PostgreSQL, and it
    recovers by itself when the database comes back."""

    def __init__(self, store: ClassStore):
        self.store = store
        self.revision = 0
        self._changed: asyncio.Condition | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        try:
            self.revision = await run_in_threadpool(self.store.revision)
        except sqlalchemy.exc.DBAPIError:
            self.revision = 0
        self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def bump(self) -> None:
        """A change this process committed: its boards hear of it without a query."""
        await self._advance(self.store.changed_here)

    async def wait_past(self, revision: int, timeout: float) -> int:
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.revision > revision), timeout
                )
            except asyncio.TimeoutError:
                pass
            return self.revision

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            try:
                await self._read()
            except sqlalchemy.exc.DBAPIError:
                continue  # the database is away: the boards wait, the next read retries

    async def _read(self) -> None:
        await self._advance(await run_in_threadpool(self.store.revision))

    async def _advance(self, revision: int) -> None:
        if revision > self.revision:
            async with self._changed:
                self.revision = revision
                self._changed.notify_all()


class RateLimit:
    """A token bucket per client token: ``rate`` a second, as many in a burst."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.clock = rate, clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def retry_after(self, key: str) -> float:
        """0 when the request may go on, else the seconds to wait."""
        at = self.clock()
        level, last = self.buckets.get(key, (self.rate, at))
        level = min(self.rate, level + (at - last) * self.rate)
        if level < 1:
            self.buckets[key] = (level, at)
            return (1 - level) / self.rate
        self.buckets[key] = (level - 1, at)
        return 0.0


def create_app(server: ClassServer) -> Starlette:
    limit = RateLimit(server.rate_per_s)
    students_by_token: dict[str, str] = {}

    def route(handler: Callable[..., Awaitable[Response]]):
        """Runs a handler with its refusals and database outages answered in JSON."""

        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except Refused as refusal:
                return JSONResponse(
                    {"error": refusal.message}, refusal.status, headers=refusal.headers
                )
            except sqlalchemy.exc.DBAPIError:
                return JSONResponse(
                    {"error": "the class server's database does not answer; try again soon"},
                    503,
                    headers={"Retry-After": "2"},
                )

        return endpoint

    # -- who is asking ------------------------------------------------------------------------

    def bearer(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    async def student(request: Request) -> str:
        token = bearer(request)
        if token is None:
            raise Refused(401, "no token: send Authorization: Bearer TOKEN (your tokens.csv line)")
        student_id = students_by_token.get(token)
        if student_id is None:
            student_id = await run_in_threadpool(server.store.student_of, token)
            if student_id is not None:
                students_by_token[token] = student_id  # tokens are never taken back
        if student_id is None:
            if await run_in_threadpool(server.store.is_instructor, token):
                raise Refused(403, "this is the instructor's token, not a student's")
            raise Refused(401, "this token is not one of this class's")
        wait = limit.retry_after(token)
        if wait:
            seconds = str(max(1, math.ceil(wait)))
            raise Refused(429, "too many requests: slow down", {"Retry-After": seconds})
        return student_id

    async def instructor(request: Request) -> None:
        token = bearer(request)
        if token is not None:
            if await run_in_threadpool(server.store.is_instructor, token):
                return
            if await run_in_threadpool(server.store.student_of, token):
                raise Refused(403, "a student's token cannot read the class board")
            raise Refused(401, "this token is not the instructor's")
        if not await logged_in(request):
            raise Refused(401, "log in first (the instructor token, at /login)")

    async def logged_in(request: Request) -> bool:
        session = request.cookies.get(SESSION_COOKIE)
        return bool(session) and await run_in_threadpool(server.store.has_session, session)

    def lang_of(request: Request) -> Lang:
        return server.lang or _browser_lang(request.headers.get("accept-language", ""))

    # -- the students' API --------------------------------------------------------------------

    async def post_grading(request: Request) -> Response:
        student_id = await student(request)
        key = request.headers.get("idempotency-key", "")
        if not KEY_PATTERN.match(key):
            raise Refused(400, "the Idempotency-Key header must be 1 to 128 of A-Z a-z 0-9 . _ : -")
        body = await _body(request)
        report = _report(body)
        if report.student.id not in (None, student_id):
            raise Refused(403, f"this report is {report.student.id!r}'s, not {student_id!r}'s")
        unknown = server.outline.unknown_in(report)
        if unknown:
            raise Refused(422, unknown)
        outcome = await run_in_threadpool(
            server.store.store_grading, student_id, key, body, report, server.outline
        )
        if outcome is Stored.CONFLICT:
            raise Refused(409, f"grading {key!r} was already sent with another body")
        if outcome is Stored.STORED:
            await server.feed.bump()
        return JSONResponse(
            {"grading_id": key, "stored": outcome is Stored.STORED},
            201 if outcome is Stored.STORED else 200,
        )

    async def post_help(request: Request) -> Response:
        student_id = await student(request)
        try:
            wanted = json.loads(await _body(request))["help"]
        except (ValueError, KeyError, TypeError):
            wanted = None
        if not isinstance(wanted, bool):
            raise Refused(400, 'the body must be {"help": true} or {"help": false}')
        await run_in_threadpool(server.store.set_help, student_id, wanted)
        await server.feed.bump()
        return JSONResponse({"help": wanted})

    # -- the board's API ----------------------------------------------------------------------

    async def get_class(request: Request) -> Response:
        await instructor(request)
        body = await run_in_threadpool(board_json, lang_of(request))
        return Response(body, media_type="application/json")

    def board_json(lang: Lang) -> bytes:
        """The board, serialized in the thread too: a class of 200 is 400 KB of JSON."""
        revision = server.store.revision()
        states = server.store.students(server.roster_ids)
        board = class_board(
            states,
            server.outline,
            lang=lang,
            at=now(),
            stuck_after=server.stuck_after,
            revision=revision,
        )
        return json.dumps(board, ensure_ascii=False, separators=(",", ":")).encode()

    async def get_student(request: Request) -> Response:
        await instructor(request)
        student_id = request.path_params["student_id"]
        if student_id not in server.roster_ids:
            raise Refused(404, f"no student {student_id!r} in this class")
        lang = lang_of(request)
        return JSONResponse(await run_in_threadpool(student_data, student_id, lang))

    def student_data(student_id: str, lang: Lang) -> dict:
        state = server.store.students([student_id])[0]
        results, latest = server.store.latest(student_id)
        text = ""
        if latest is not None:
            merged = merged_report(latest, results, server.outline, student_id)
            text = TextExporter().render(merged, lang=lang)
        return {
            "student": student_row(state, now(), server.stuck_after),
            "text": text,
            "history": [
                {"at": at.isoformat(), "score": score, "max_score": max_score}
                for at, score, max_score in server.store.history(student_id)
            ],
        }

    async def clear_help(request: Request) -> Response:
        await instructor(request)
        student_id = request.path_params["student_id"]
        if student_id not in server.roster_ids:
            raise Refused(404, f"no student {student_id!r} in this class")
        await run_in_threadpool(server.store.set_help, student_id, False)
        await server.feed.bump()
        return JSONResponse({"help": False})

    async def events(request: Request) -> Response:
        await instructor(request)

        async def stream():
            sent = -1
            while True:
                revision = await server.feed.wait_past(sent, KEEPALIVE_S)
                if await request.is_disconnected():
                    return
                if revision > sent:
                    sent = revision
                    yield f"event: class\ndata: {json.dumps({'revision': revision})}\n\n"
                    await asyncio.sleep(EVENT_GAP_S)  # many gradings: one refetch for them
                else:
                    yield ": still here\n\n"

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    # -- the pages ----------------------------------------------------------------------------

    async def login_page(request: Request) -> Response:
        return HTMLResponse(pages.render_login(lang_of(request)))

    async def login(request: Request) -> Response:
        form = await request.form()
        token = str(form.get("token", "")).strip()
        if not token or not await run_in_threadpool(server.store.is_instructor, token):
            error = t(
                "This is not the instructor token.", "Ce n’est pas le jeton de l’enseignant."
            ).render(lang_of(request))
            return HTMLResponse(pages.render_login(lang_of(request), error), 401)
        session = await run_in_threadpool(server.store.open_session)
        response = RedirectResponse("/", 303)
        response.set_cookie(
            SESSION_COOKIE,
            session,
            httponly=True,
            samesite="strict",
            secure=server.https,
            max_age=14 * 24 * 3600,
        )
        return response

    async def logout(request: Request) -> Response:
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            await run_in_threadpool(server.store.close_session, session)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def board_page(request: Request) -> Response:
        if not await logged_in(request):
            return RedirectResponse("/login", 303)
        return HTMLResponse(pages.render_board(lang_of(request)))

    async def student_page(request: Request) -> Response:
        if not await logged_in(request):
            return RedirectResponse("/login", 303)
        student_id = request.path_params["student_id"]
        states = await run_in_threadpool(server.store.students, [student_id])
        if student_id not in server.roster_ids or not states:
            raise Refused(404, f"no student {student_id!r} in this class")
        return HTMLResponse(pages.render_student(lang_of(request), student_id, states[0].name))

    async def not_found(request: Request, exc: HTTPException) -> Response:
        return JSONResponse({"error": exc.detail or "not found"}, exc.status_code)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # Few threads: the database calls are short, and more threads only take turns at
        # the interpreter's lock, delaying the event loop's answers.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        await server.feed.start()
        # What start-up made (modules, the catalog, compiled queries) lives as long as the
        # server: out of the collector's sight, a full collection no longer stalls an answer.
        gc.freeze()
        try:
            yield
        finally:
            await server.feed.stop()

    app = Starlette(
        routes=[
            Route("/api/gradings", route(post_grading), methods=["POST"]),
            Route("/api/help", route(post_help), methods=["POST"]),
            Route("/api/class", route(get_class), methods=["GET"]),
            Route("/api/students/{student_id}", route(get_student), methods=["GET"]),
            Route("/api/students/{student_id}/help/clear", route(clear_help), methods=["POST"]),
            Route("/api/events", route(events), methods=["GET"]),
            Route("/login", route(login_page), methods=["GET"]),
            Route("/login", route(login), methods=["POST"]),
            Route("/logout", route(logout), methods=["POST"]),
            Route("/", route(board_page), methods=["GET"]),
            Route("/students/{student_id}", route(student_page), methods=["GET"]),
            Mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static"),
        ],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    return SecurityHeaders(app)


async def _body(request: Request) -> bytes:
    """The request's body, refused past MAX_BODY without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise Refused(413, f"the body is over {MAX_BODY // 1024} KiB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"the body is over {MAX_BODY // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _report(body: bytes) -> Report:
    """The report in the body: pydantic parses it straight from the bytes; only a body it
    refuses is read again, to say why in one sentence."""
    try:
        report = Report.model_validate_json(body)
    except ValidationError:
        raise _refusal(body) from None
    if report.schema_version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise _refusal(body)
    if not report.exercises:
        raise Refused(422, "the report grades no exercise")
    return report


def _refusal(body: bytes) -> Refused:
    """Why a body is not a report this server takes, in one sentence."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Refused(400, "the body is not JSON")
    if not isinstance(data, dict) or "exercises" not in data:
        return Refused(422, "the body is not a docker-grade report (no exercises)")
    try:
        if "schema_version" in data:
            check_schema(data, "the report")
        Report.model_validate(data)
    except UsageError as error:  # another major version of the report's schema
        return Refused(422, error.message)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return Refused(422, f"the body is not a docker-grade report: {where}: {first['msg']}")
    return Refused(422, "the body is not a docker-grade report")


def _browser_lang(accept_language: str) -> Lang:
    """The first of the course's languages the browser asks for (by its q weights)."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        name, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, name.strip().lower()[:2]))
    return next((name for _, _, name in sorted(ranked) if name in LANGS), "en")


class SecurityHeaders:
    """Every answer carries the headers that keep a page from running what it shows."""

    HEADERS = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)
