"""A stand-in for the class server, as far as the board's pages see it (docs/class-server.md):
the pages from grader.classroom.pages, the static files, a login that sets ``dg_session``, and
``/api/class``, ``/api/students/ID``, ``/api/events``, ``/api/students/ID/help/clear`` answering
what the test put in it. Served by uvicorn in a thread on a free loopback port (serve_app)."""

from __future__ import annotations

import asyncio
import copy
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from grader.classroom import pages

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
TOKEN = "instructor-token-for-tests"
SESSION_COOKIE = "dg_session"


class BoardDouble:
    """The data the pages get, set by the test; what the pages sent, kept for the test."""

    def __init__(self, class_data: dict, students: dict[str, dict] | None = None, lang="en"):
        self.lang = lang
        self._lock = threading.Lock()
        self._class = copy.deepcopy(class_data)
        self._students = copy.deepcopy(students or {})
        self.revision = int(class_data.get("revision", 1))
        self.announced = self.revision  # the revision the event streams last said
        self.stream_generation = 0  # drop_streams() ends the streams of older generations
        self.closing = False
        self.cleared: list[str] = []  # ids whose help was cleared, in order
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self._session = secrets.token_urlsafe(16)

    # -- what the test does ----------------------------------------------------------------
    def update(self, change, *, announce: bool = True) -> None:
        """``change(class_data, students)`` edits the data in place; ``announce`` sends the
        ``class`` event (False: a change the board can only learn by fetching again)."""
        with self._lock:
            change(self._class, self._students)
            self.revision += 1
            self._class["revision"] = self.revision
            if announce:
                self.announced = self.revision
        if not announce:
            self.drop_streams()

    def drop_streams(self) -> None:
        """Ends every open event stream, as a server restart or a network drop would."""
        with self._lock:
            self.stream_generation += 1

    def student_row(self, student_id: str) -> dict:
        with self._lock:
            return next(s for s in self._class["students"] if s["student_id"] == student_id)

    # -- the app ---------------------------------------------------------------------------
    def app(self) -> Starlette:
        app = Starlette(
            routes=[
                Route("/", self._board),
                Route("/students/{student_id}", self._student_page),
                Route("/login", self._login_page, methods=["GET"]),
                Route("/login", self._login, methods=["POST"]),
                Route("/logout", self._logout, methods=["POST"]),
                Route("/api/class", self._api_class),
                Route("/api/students/{student_id}", self._api_student),
                Route("/api/students/{student_id}/help/clear", self._api_clear, methods=["POST"]),
                Route("/api/events", self._api_events),
                Mount("/static", app=StaticFiles(directory=pages.STATIC_DIR), name="static"),
            ]
        )
        return _Headers(app, self.requests)

    def _signed_in(self, request: Request) -> bool:
        return secrets.compare_digest(request.cookies.get(SESSION_COOKIE, ""), self._session)

    async def _board(self, request: Request):
        if not self._signed_in(request):
            return RedirectResponse("/login", status_code=303)
        return HTMLResponse(pages.render_board(self.lang))

    async def _student_page(self, request: Request):
        if not self._signed_in(request):
            return RedirectResponse("/login", status_code=303)
        student_id = request.path_params["student_id"]
        with self._lock:
            row = next((s for s in self._class["students"] if s["student_id"] == student_id), None)
        if row is None:
            return HTMLResponse("unknown student", status_code=404)
        return HTMLResponse(pages.render_student(self.lang, student_id, row["name"]))

    async def _login_page(self, request: Request):
        return HTMLResponse(pages.render_login(self.lang))

    async def _login(self, request: Request):
        # the form's urlencoded body, read without python-multipart (not a dependency)
        form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))
        if not secrets.compare_digest((form.get("token") or [""])[0], TOKEN):
            error = "Wrong token." if self.lang == "en" else "Jeton incorrect."
            return HTMLResponse(pages.render_login(self.lang, error), status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, self._session, httponly=True, samesite="strict")
        return response

    async def _logout(self, request: Request):
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def _refused(self) -> JSONResponse:
        return JSONResponse({"error": "Log in first."}, status_code=401)

    async def _api_class(self, request: Request):
        if not self._signed_in(request):
            return self._refused()
        with self._lock:
            return JSONResponse(copy.deepcopy(self._class))

    async def _api_student(self, request: Request):
        if not self._signed_in(request):
            return self._refused()
        student_id = request.path_params["student_id"]
        with self._lock:
            row = next((s for s in self._class["students"] if s["student_id"] == student_id), None)
            detail = copy.deepcopy(self._students.get(student_id, {"text": "", "history": []}))
        if row is None:
            return JSONResponse({"error": "No such student."}, status_code=404)
        return JSONResponse({"student": row, **detail})

    async def _api_clear(self, request: Request):
        if not self._signed_in(request):
            return self._refused()
        student_id = request.path_params["student_id"]

        def clear(class_data, students):
            for row in class_data["students"]:
                if row["student_id"] == student_id:
                    row["help"], row["help_since"] = False, None

        self.cleared.append(student_id)
        self.update(clear)
        return JSONResponse({"help": False})

    async def _api_events(self, request: Request):
        if not self._signed_in(request):
            return self._refused()
        generation = self.stream_generation

        async def stream():
            seen = self.announced
            yield "retry: 300\n\n"  # a dropped stream comes back in 0.3 s
            idle = 0.0
            while not self.closing and self.stream_generation == generation:
                if self.announced != seen:
                    seen = self.announced
                    yield f"event: class\ndata: {json.dumps({'revision': seen})}\n\n"
                    idle = 0.0
                elif idle >= 10:
                    yield ": keep-alive\n\n"
                    idle = 0.0
                await asyncio.sleep(0.05)
                idle += 0.05

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )


class _Headers:
    """Puts the class server's security headers on every answer; notes every request."""

    def __init__(self, app, requests: list):
        self.app, self.requests = app, requests

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.requests.append((scope["method"], scope["path"]))

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_app(app, *, on_close=None) -> Iterator[str]:
    """Serves an ASGI app with uvicorn in a thread on a free loopback port; yields its base
    URL. ``on_close`` runs before the server stops (ends infinite event streams)."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if on_close:
            on_close()
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def serve_double(double: BoardDouble) -> Iterator[str]:
    def close():
        double.closing = True

    with serve_app(double.app(), on_close=close) as url:
        yield url


# -- data: a class as /api/class would give it ----------------------------------------------
_WEIGHTS: dict[tuple[str, str], float] = {}  # (exercise, check) -> weight


def exercise(exercise_id: str, title: str, checks: list[tuple[str, str, float]]) -> dict:
    """An entry of /api/class's ``exercises``: checks as (id, title, weight)."""
    for check_id, _, weight in checks:
        _WEIGHTS[(exercise_id, check_id)] = weight
    return {
        "id": exercise_id,
        "title": title,
        "max_score": sum(weight for _, _, weight in checks),
        "checks": [{"id": c, "title": t} for c, t, _ in checks],
    }


def student(
    student_id: str,
    name: str,
    exercises: list[dict],
    statuses: dict[str, dict[str, str]] | None,
    **extra,
) -> dict:
    """A row of /api/class: ``statuses`` maps exercise id -> check id -> status (None: the
    student sent nothing); scores are the weights of the passed checks."""
    row = {
        "student_id": student_id,
        "name": name,
        "score": None,
        "max_score": None,
        "exercises": {},
        "last_grading_at": None,
        "last_change_at": None,
        "stuck_since": None,
        "stuck_on": None,
        "help": False,
        "help_since": None,
    }
    if statuses is not None:
        total = maximum = 0.0
        for ex in exercises:
            if ex["id"] not in statuses:
                continue
            checks = statuses[ex["id"]]
            score = sum(
                _WEIGHTS.get((ex["id"], c), 1.0) for c, s in checks.items() if s == "passed"
            )
            row["exercises"][ex["id"]] = {
                "score": score,
                "max_score": ex["max_score"],
                "checks": dict(checks),
            }
            total += score
            maximum += ex["max_score"]
        row.update(score=total, max_score=maximum)
        row["last_grading_at"] = row["last_change_at"] = "2026-12-06T10:20:00+00:00"
    row.update(extra)
    return row


def class_board(exercises: list[dict], students: list[dict], room=(), lang="en") -> dict:
    return {
        "revision": 1,
        "generated_at": "2026-12-06T10:30:00+00:00",
        "lang": lang,
        "stuck_after_s": 300,
        "exercises": exercises,
        "students": list(students),
        "room": list(room),
    }


def statuses_of(exercise_: dict, passed: int, then: str = "failed") -> dict[str, str]:
    """The first ``passed`` checks passed, the next ``then``, the rest skipped."""
    result = {}
    for index, check in enumerate(exercise_["checks"]):
        if index < passed:
            result[check["id"]] = "passed"
        elif index == passed:
            result[check["id"]] = then
        else:
            result[check["id"]] = "skipped"
    return result
