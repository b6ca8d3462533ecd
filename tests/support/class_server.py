"""``docker-grade serve`` as an instructor runs it: a real process on a free loopback port,
its tokens read back from the state folder as a student and the instructor read them.

>>> with ClassServerProcess(roster, tmp_path / "state") as server:           # doctest: +SKIP
...     server.post_grading("ana", report_json)
"""

from __future__ import annotations

import csv
import json
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx

from support.cli import EXECUTABLE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_roster(path: Path, students: dict[str, str], extra_columns: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name"] + (["docker_host"] if extra_columns else []))
        for student_id, name in students.items():
            writer.writerow([student_id, name] + (["unix:///nowhere"] if extra_columns else []))
    return path


class ClassServerProcess:
    def __init__(
        self,
        roster: Path,
        state_dir: Path,
        *args: str,
        db: str | None = None,
        port: int | None = None,
    ):
        self.roster, self.state_dir, self.args, self.db = roster, state_dir, args, db
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.output = state_dir.parent / f"serve-{self.port}.log"
        self.verify: str | bool = True

    @property
    def url(self) -> str:
        scheme = "https" if "--certfile" in self.args else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0, verify: str | bool = True) -> ClassServerProcess:
        """Starts serve and waits until it answers (``verify``: the CA of an HTTPS one)."""
        self.verify = verify
        command = [EXECUTABLE, "serve", str(self.roster), "--state", str(self.state_dir)]
        command += ["--port", str(self.port), *self.args]
        if self.db:
            command += ["--db", self.db]
        with self.output.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve ended ({self.process.returncode}): {self.log()}")
            try:
                httpx.get(f"{self.url}/login", timeout=1.0, verify=verify)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"serve did not answer within {timeout} s: {self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> ClassServerProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def log(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    # -- tokens, as tokens.csv and instructor.txt give them ------------------------------------

    def tokens(self) -> dict[str, dict[str, str]]:
        with (self.state_dir / "tokens.csv").open(newline="", encoding="utf-8") as handle:
            return {row["student_id"]: row for row in csv.DictReader(handle)}

    def student_token(self, student_id: str) -> str:
        return self.tokens()[student_id]["token"]

    def instructor_token(self) -> str:
        text = (self.state_dir / "instructor.txt").read_text(encoding="utf-8")
        return next(line[7:] for line in text.splitlines() if line.startswith("token: "))

    # -- requests -------------------------------------------------------------------------------

    def post_grading(
        self, student_id: str, body: str | bytes, key: str | None = None, **headers: str
    ) -> httpx.Response:
        return httpx.post(
            f"{self.url}/api/gradings",
            content=body,
            headers={
                "Authorization": f"Bearer {self.student_token(student_id)}",
                "Idempotency-Key": key or uuid.uuid4().hex,
                **headers,
            },
            timeout=10,
        )

    def board(self) -> dict:
        answer = httpx.get(
            f"{self.url}/api/class",
            headers={"Authorization": f"Bearer {self.instructor_token()}"},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()

    def row(self, student_id: str) -> dict:
        return next(s for s in self.board()["students"] if s["student_id"] == student_id)


def report_json(report) -> str:
    """A report as ``check --format json`` writes it."""
    return json.dumps(report.model_dump(mode="json"), indent=2)


def first_event_after(server: ClassServerProcess, action) -> float:
    """Seconds from ``action()`` to the next ``class`` event of ``server``'s stream."""
    seen = threading.Event()
    ready = threading.Event()
    heard: list[float] = []

    def listen():
        with httpx.stream(
            "GET",
            f"{server.url}/api/events",
            headers={"Authorization": f"Bearer {server.instructor_token()}"},
            timeout=15,
        ) as stream:
            for line in stream.iter_lines():
                if line.startswith("event: class"):
                    if not ready.is_set():
                        ready.set()
                        continue
                    heard.append(time.monotonic())
                    seen.set()
                    return

    threading.Thread(target=listen, daemon=True).start()
    assert ready.wait(10), "the stream sent no first event"
    began = time.monotonic()
    action()
    assert seen.wait(10), "no event after the change"
    return heard[0] - began
