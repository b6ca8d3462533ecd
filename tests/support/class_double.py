"""A stand-in for the class server (docs/class-server.md) on a loopback port: it records every
request and answers as the real one does, or as a test tells it to.

>>> with ClassDouble() as server:                              # doctest: +SKIP
...     server.answer(401)                                      # the next request: 401
...     link = ClassLink(server.url, "T", folder=tmp_path).start()
...     server.wait_for(lambda requests: len(requests) == 1)
...     server.stop(); server.start()                           # down, then up on the same port
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int  # what the double answered
    at: float

    @property
    def key(self) -> str | None:
        return self.headers.get("idempotency-key")

    def json(self):
        return json.loads(self.body)


class ClassDouble:
    def __init__(
        self, token: str = "T", port: int | None = None, tls: tuple[Path, Path] | None = None
    ):
        """``tls``: a certificate and its key, to answer HTTPS."""
        self.token, self.tls = token, tls
        self.port = port or _free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.requests: list[Received] = []
        self.stored: dict[str, bytes] = {}  # grading id -> body
        self.help = False
        self._scripted: list[tuple[int, dict, dict]] = []
        self._changed = threading.Condition()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route("/api/gradings", self._gradings, methods=["POST"]),
                Route("/api/help", self._help, methods=["POST"]),
            ]
        )

    # --- what tests call ----------------------------------------------------------------------

    def answer(self, status: int, *, headers: dict | None = None, body: dict | None = None) -> None:
        """The next request (one more per call) gets this answer, whatever it carries."""
        with self._changed:
            self._scripted.append((status, headers or {}, body or {"error": f"scripted {status}"}))

    def start(self) -> ClassDouble:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            lifespan="off",
            ssl_certfile=str(self.tls[0]) if self.tls else None,
            ssl_keyfile=str(self.tls[1]) if self.tls else None,
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # not the main thread
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the class double did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = None

    def __enter__(self) -> ClassDouble:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 10.0):
        """Waits until ``condition(requests)`` holds; the requests then."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self.requests):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"not within {timeout:g} s; requests: "
                        f"{[(r.path, r.status, r.key) for r in self.requests]}"
                    )
                self._changed.wait(left)
            return list(self.requests)

    def gradings(self, status: int | None = None) -> list[Received]:
        return [
            r
            for r in self.requests
            if r.path == "/api/gradings" and (status is None or r.status == status)
        ]

    # --- the endpoints --------------------------------------------------------------------------

    async def _gradings(self, request: Request) -> Response:
        body = await request.body()

        def decide() -> tuple[int, dict, dict]:
            key = request.headers.get("idempotency-key")
            if not key:
                return 400, {}, {"error": "no Idempotency-Key"}
            try:
                report = json.loads(body)
            except ValueError:
                return 400, {}, {"error": "not JSON"}
            if not isinstance(report, dict) or "exercises" not in report:
                return 422, {}, {"error": "not a report"}
            if key in self.stored:
                if self.stored[key] != body:
                    return 409, {}, {"error": "this grading id was used with another body"}
                return 200, {}, {"grading_id": key, "stored": False}
            self.stored[key] = body
            return 201, {}, {"grading_id": key, "stored": True}

        return self._respond(request, body, decide)

    async def _help(self, request: Request) -> Response:
        body = await request.body()

        def decide() -> tuple[int, dict, dict]:
            try:
                asked = json.loads(body)["help"]
            except (ValueError, KeyError, TypeError):
                return 422, {}, {"error": "help is true or false"}
            self.help = bool(asked)
            return 200, {}, {"help": self.help}

        return self._respond(request, body, decide)

    def _respond(self, request: Request, body: bytes, decide) -> Response:
        with self._changed:
            if self._scripted:
                status, headers, answer = self._scripted.pop(0)
            elif request.headers.get("authorization") != f"Bearer {self.token}":
                status, headers, answer = 401, {}, {"error": "no or wrong token"}
            else:
                status, headers, answer = decide()
            self.requests.append(
                Received(request.url.path, dict(request.headers), body, status, time.time())
            )
            self._changed.notify_all()
        return JSONResponse(answer, status_code=status, headers=headers)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
