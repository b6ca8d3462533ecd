"""``watch --class``: every grading goes to the class server, and nothing is lost on the way.

What is sent waits first in a small queue on disk (:class:`Outbox`, one file per grading or
help request), then a sender thread (:class:`ClassLink`) posts it to the class server
(docs/class-server.md), oldest first, and removes it once the server has it. A resend carries
the grading id chosen the first time (``Idempotency-Key``), so the server stores it once.
The live view never waits on the network: it only asks :meth:`ClassLink.status`.

>>> link = ClassLink("https://class.example", "TOKEN").start()   # doctest: +SKIP
>>> link.send(report); link.toggle_help(); link.status().text("en")   # doctest: +SKIP
'class: 1 grading waiting · help asked'
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx

from grader.i18n import Lang, Localized, t
from grader.report.models import Report

QUEUE_LIMIT = 500  # the newest gradings kept on disk while the server cannot take them
TIMEOUT_S = 5.0
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 5.0)  # a server down or failing: tried again this often
RETRY_AFTER_MAX_S = 60.0
REFUSED = (400, 409, 413, 422)  # the server will never take this one: dropped, said once
REFUSED_SHOWN_S = 60.0  # a refusal stays in the footer this long at least
TOKEN_REFUSED = (401, 403)  # sending stops; the queue stays for a right token

GRADING, HELP = "gradings", "help"  # the kinds of item: the endpoint each goes to
_NAME = re.compile(r"^(\d{12})-(gradings|help)-([A-Za-z0-9._:-]{1,128})\.json$")


def queue_folder(url: str, token: str, cache_home: Path | None = None) -> Path:
    """``$XDG_CACHE_HOME/docker-grade/class/<hash>/``: one queue per server and token."""
    if cache_home is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        cache_home = Path(xdg) if xdg else Path.home() / ".cache"
    digest = hashlib.sha256(f"{url.rstrip('/')}\n{token}".encode()).hexdigest()[:16]
    return cache_home / "docker-grade" / "class" / digest


@dataclass(frozen=True)
class Item:
    """One request waiting to be sent: its endpoint, its id and its body."""

    number: int  # its place in the queue: oldest first
    kind: str  # GRADING or HELP
    key: str  # the Idempotency-Key: the same at every resend
    path: Path

    def body(self) -> bytes:
        return self.path.read_bytes()


class Outbox:
    """The queue on disk: a file per item, named ``<number>-<kind>-<key>.json``, written
    atomically; the newest ``limit`` kept."""

    def __init__(self, folder: Path, limit: int = QUEUE_LIMIT):
        self.folder, self.limit = folder, limit
        self._lock = threading.Lock()

    def put(self, kind: str, body: bytes, key: str | None = None) -> Item:
        key = key or uuid.uuid4().hex
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            items = self.items()
            number = items[-1].number + 1 if items else 1
            path = self.folder / f"{number:012d}-{kind}-{key}.json"
            partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            partial.write_bytes(body)
            os.replace(partial, path)
            for old in items[: max(0, len(items) + 1 - self.limit)]:
                self.remove(old)  # the oldest, beyond the limit
            return Item(number, kind, key, path)

    def items(self) -> list[Item]:
        """What waits, oldest first."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        found = [(m, name) for name in names if (m := _NAME.match(name))]
        return sorted(
            (Item(int(m[1]), m[2], m[3], self.folder / name) for m, name in found),
            key=lambda item: item.number,
        )

    def remove(self, item: Item) -> None:
        try:
            item.path.unlink()
        except FileNotFoundError:
            pass


@dataclass(frozen=True)
class LinkStatus:
    """Whether the class server has the latest grading, and why not."""

    state: str  # "up-to-date", "waiting" or "token-refused"
    waiting: int  # gradings in the queue
    help_waiting: int  # help requests in the queue
    help: bool  # help asked (as the student last said)
    problem: Localized | None = None  # why the queue waits
    refused: Localized | None = None  # the last item the server refused (dropped)
    sent: int = 0  # items the server took since the start

    def text(self, lang: Lang) -> str:
        """The board's footer line: ``class: up to date · help asked``."""
        if self.state == "token-refused":
            main = self.problem.render(lang)
            if self.waiting:
                main += _KEPT.format(n=self.waiting).render(lang)
        elif self.waiting or self.help_waiting:
            parts = []
            if self.waiting:
                one = self.waiting == 1
                parts.append((_WAITING_ONE if one else _WAITING).format(n=self.waiting))
            if self.help_waiting:
                parts.append(_HELP_WAITING)
            main = ", ".join(part.render(lang) for part in parts)
            if self.problem is not None:
                main += _COLON.render(lang) + self.problem.render(lang)
        else:
            main = _UP_TO_DATE.render(lang)
        line = _CLASS.render(lang) + main
        if self.refused is not None:
            line += " · " + self.refused.render(lang)
        if self.help:
            line += " · " + _HELP_ASKED.render(lang)
        return line

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "waiting": self.waiting,
            "help_waiting": self.help_waiting,
            "help": self.help,
            "problem": self.problem.en if self.problem else None,
            "refused": self.refused.en if self.refused else None,
            "sent": self.sent,
            "text": self.text("en"),
        }


_CLASS = t("class: ", "classe : ")
_COLON = t(": ", " : ")
_UP_TO_DATE = t("up to date", "à jour")
_WAITING_ONE = t("{n} grading waiting", "{n} correction en attente")
_WAITING = t("{n} gradings waiting", "{n} corrections en attente")
_HELP_WAITING = t("help request waiting", "demande d'aide en attente")
_KEPT = t(", {n} gradings kept", ", {n} corrections gardées")
_HELP_ASKED = t("help asked", "aide demandée")


class ClassLink:
    """Sends gradings and help requests to the class server from a thread of its own.

    ``send(report)`` and ``toggle_help()`` only write to the queue on disk and wake the
    sender; ``status()`` says where things are; ``on_change`` is called (from the sender's
    thread) whenever the status may have changed.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        ca: Path | None = None,
        folder: Path | None = None,
        limit: int = QUEUE_LIMIT,
        timeout: float = TIMEOUT_S,
        on_change: Callable[[], None] | None = None,
        backoff: tuple[float, ...] = BACKOFF_S,
    ):
        self.url, self.token = url.rstrip("/"), token
        self.outbox = Outbox(folder or queue_folder(self.url, token), limit)
        self.on_change = on_change
        self._backoff = backoff
        verify: ssl.SSLContext = ssl.create_default_context(cafile=str(ca) if ca else None)
        self._client = httpx.Client(timeout=timeout, verify=verify)
        self._lock = threading.Lock()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._help = False
        self._problem: Localized | None = None
        self._refused: Localized | None = None
        self._refused_at = 0.0
        self._token_refused = False
        self._sent = 0
        self._idle = threading.Event()

    # --- what the watch calls ---------------------------------------------------------------

    def start(self) -> ClassLink:
        self._thread = threading.Thread(target=self._run, name="class-link", daemon=True)
        self._thread.start()
        return self

    def send(self, report: Report) -> Item:
        """Queues ``report`` (as ``check --format json`` writes it) under a new grading id."""
        item = self.outbox.put(GRADING, report.model_dump_json().encode())
        self._queued()
        return item

    def toggle_help(self) -> bool:
        """Asks for help, or withdraws the request; queued behind the gradings before it."""
        with self._lock:
            self._help = not self._help
            asked = self._help
        self.outbox.put(HELP, json.dumps({"help": asked}).encode())
        self._queued()
        return asked

    def status(self) -> LinkStatus:
        with self._lock:
            items = self.outbox.items()
            waiting = sum(item.kind == GRADING for item in items)
            help_waiting = len(items) - waiting
            if self._token_refused:
                state = "token-refused"
            elif items:
                state = "waiting"
            else:
                state = "up-to-date"
            return LinkStatus(
                state=state,
                waiting=waiting,
                help_waiting=help_waiting,
                help=self._help,
                problem=self._problem,
                refused=self._refused,
                sent=self._sent,
            )

    def wait_idle(self, timeout: float) -> bool:
        """True once the queue is empty or sending stopped (for tests and a last flush)."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 0.5) -> None:
        """Stops the sender; what it did not send stays on disk for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            self._client.close()

    def __enter__(self) -> ClassLink:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- the sender's thread ----------------------------------------------------------------

    def _queued(self) -> None:
        self._idle.clear()
        self._wake.set()
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:  # noqa: BLE001 (a view's trouble must not stop the sending)
                pass

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            items = [] if self._token_refused else self.outbox.items()
            if not items:
                self._idle.set()
                self._wake.wait()
                self._wake.clear()
                continue
            wait = self._deliver(items[0], failures)
            if wait is None:
                failures = 0
            else:
                failures += 1
                self._stop.wait(wait)

    def _deliver(self, item: Item, failures: int) -> float | None:
        """Sends one item; None when it left the queue, else how long to wait before the
        next try."""
        try:
            body = item.body()
        except FileNotFoundError:  # pruned meanwhile
            return None
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }
        if item.kind == GRADING:
            headers["Idempotency-Key"] = item.key
        try:
            answer = self._client.post(f"{self.url}/api/{item.kind}", content=body, headers=headers)
        except httpx.HTTPError as error:
            return self._retry(_UNREACHABLE.format(why=_reason(error)), failures)
        code = answer.status_code
        if 200 <= code < 300:
            with self._lock:  # status() sees both or neither
                self.outbox.remove(item)
                self._problem, self._sent = None, self._sent + 1
                if item.kind == GRADING and time.monotonic() - self._refused_at > REFUSED_SHOWN_S:
                    self._refused = None  # a later grading was stored: said long enough
            self._changed()
            return None
        if code in REFUSED:
            what = _GRADING_REFUSED if item.kind == GRADING else _HELP_REFUSED
            with self._lock:
                self.outbox.remove(item)
                self._problem = None
                self._refused = what.format(code=code, why=_said(answer))
                self._refused_at = time.monotonic()
            self._changed()
            return None
        if code in TOKEN_REFUSED:
            with self._lock:
                self._token_refused = True
                self._problem = _TOKEN_REFUSED.format(code=code)
            self._idle.set()
            self._changed()
            return 0.0
        if code == 429:
            wait = _retry_after(answer.headers.get("Retry-After"))
            self._set_problem(_BUSY.format(s=f"{wait:g}"))
            return wait
        if code >= 500:
            return self._retry(_SERVER_ERROR.format(code=code), failures)
        return self._retry(_ANSWERED.format(code=code), failures)

    def _retry(self, problem: Localized, failures: int) -> float:
        self._set_problem(problem)
        return self._backoff[min(failures, len(self._backoff) - 1)]

    def _set_problem(self, problem: Localized) -> None:
        with self._lock:
            changed, self._problem = self._problem != problem, problem
        if changed:
            self._changed()


_UNREACHABLE = t("server unreachable ({why})", "serveur injoignable ({why})")
_SERVER_ERROR = t("server error ({code})", "erreur du serveur ({code})")
_ANSWERED = t("the server answered {code}", "le serveur a répondu {code}")
_BUSY = t("server busy, next try in {s} s", "serveur occupé, nouvel essai dans {s} s")
_TOKEN_REFUSED = t(
    "token refused ({code}): nothing is sent; check --token",
    "jeton refusé ({code}) : rien n'est envoyé ; vérifiez --token",
)
_GRADING_REFUSED = t(
    "a grading was refused ({code}): {why}", "une correction a été refusée ({code}) : {why}"
)
_HELP_REFUSED = t(
    "a help request was refused ({code}): {why}",
    "une demande d'aide a été refusée ({code}) : {why}",
)


def _reason(error: httpx.HTTPError) -> Localized:
    text = str(error) or type(error).__name__
    lowered = text.lower()
    if isinstance(error, httpx.TimeoutException) or "timed out" in lowered:
        return t("timed out", "délai dépassé")
    if "refused" in lowered:
        return t("connection refused", "connexion refusée")
    if "certificate" in lowered or "ssl" in lowered:
        return t(
            "certificate not trusted: see --class-ca", "certificat non reconnu : voir --class-ca"
        )
    if "name or service" in lowered or "nodename" in lowered or "resolution" in lowered:
        return t("unknown host", "hôte inconnu")
    return t(_short(text), _short(text))


def _said(answer: httpx.Response) -> str:
    """The server's one sentence (``{"error": ...}``), else the start of its body."""
    try:
        said = answer.json().get("error")
    except (ValueError, AttributeError):
        said = None
    return _short(str(said) if said else answer.text or answer.reason_phrase)


def _short(text: str, limit: int = 120) -> str:
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retry_after(value: str | None) -> float:
    """Retry-After in seconds or as a date; 1 s when absent or unreadable."""
    if not value:
        return 1.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            seconds = 1.0
    return min(max(seconds, 0.0), RETRY_AFTER_MAX_S)


class SendingView:
    """A watch view that also sends each grading: what the CLI passes to the Watcher."""

    def __init__(self, view: Callable, link: ClassLink):
        self.view, self.link = view, link

    def __call__(self, update) -> None:
        if getattr(update, "report", None) is not None:
            self.link.send(update.report)
        self.view(update)
