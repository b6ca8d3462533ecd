"""The class server under a class's load, beside its floor measured in the same run.

    .venv/bin/python scripts/bench_class.py [--seconds 60] [--students 200] [--modes M,...]

Every student sends a real-sized grading (the whole course's report as ``check --format json``
writes it, its statuses moving as the student progresses) once a second, each with its own
Idempotency-Key, over HTTP/1.1 keep-alive (an httpx.AsyncClient and connection per student), to
real server processes on loopback:

- ``floor``: the same requests to a minimal Starlette app on uvicorn (this file, ``--floor-app``)
  whose POST /api/gradings reads the body, parses the JSON and answers 201, storing nothing; it
  announces each one on /api/events and keeps each student's last time for /api/class in a dict.
- ``sqlite``: ``docker-grade serve ROSTER --state DIR`` (its SQLite file), one process.
- ``postgres``: two ``serve`` processes sharing one database of a real PostgreSQL server
  (tests/support/postgres.py, fsync on); students alternate between them and the board listens
  to the second, so half the gradings reach the board across processes.

Measured:
- ack: from the moment a grading is due (once a second per student; a student's next grading
  waits for the previous answer, as watch's sender does) to its answer.
- board: the open board fetches /api/class on each event (one fetch at a time, the latest
  events coalesced, as a page does): from a grading's send to the end of the first fetch whose
  row for the student has last_grading_at (the server's receive time, same clock) at or after
  that send.
- CPU: the server process's utime+stime (/proc/PID/stat, children included) during the load;
  peak memory: its VmHWM. PostgreSQL's own CPU (all its processes) and the load client's are
  printed apart: they share this machine's CPUs with the server.
- lost: sent - acknowledged (2xx), and acknowledged but missing from the store (rows of its
  gradings table counted after the run).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TICKS = os.sysconf("SC_CLK_TCK")
STAMP = "2000-01-01T00:00:00.000000+00:00"  # replaced by the send time in each body
TARGETS = "targets: ack p99 <= 50 ms, board <= 1 s, memory <= 200 MB per process, none lost"


# -- the reports ----------------------------------------------------------------------------------
def report_variants(count: int = 12) -> list[bytes]:
    """The whole course's report at ``count`` stages of a student's progress, student id and
    start time left as placeholders."""
    from grader import __version__
    from grader.report.models import Host, ProbeImage, Report, Status, Student, Tool
    from grader.report.outcome import Outcome
    from grader.report.scoring import score_exercise
    from grader.spec.catalog import Catalog

    catalog = Catalog.load(quiet=True)
    checks = [(spec.id, check.id) for spec in catalog.exercises for check in spec.checks]
    variants = []
    for stage in range(count):
        passed = round(len(checks) * stage / (count - 1))
        outcomes = {}
        for n, key in enumerate(checks):
            status = Status.PASSED if n < passed else (Status.FAILED, Status.SKIPPED)[n % 2]
            outcomes[key] = Outcome(
                status,
                f"{key[1]}: expected the course's setting for {key[0]}; found what the "
                f"engine answered at stage {stage} (container mynginx, network mybridge)",
                {
                    "container": f"mynginx-{n} ({n:012x})",
                    "network": "mybridge (1a2b3c4d5e6f)",
                    "inspected": ["State.Running", "HostConfig.NetworkMode", "Mounts"],
                },
                duration_s=0.012 * (n % 7),
            )
        exercises = [score_exercise(spec, outcomes, "en") for spec in catalog.exercises]
        report = Report(
            tool=Tool(name="docker-grade", version=__version__),
            student=Student(id="@STUDENT@"),
            host=Host(
                docker_host="unix:///var/run/docker.sock",
                engine_version="28.1.1",
                api_version="1.49",
                os="Debian GNU/Linux 12 (bookworm)",
                engine_id="4f3c2b1a-0000-4e5f-9a8b-7c6d5e4f3a2b",
                probe_image=ProbeImage(
                    reference="ghcr.io/docker-grade/probe:1",
                    id="sha256:" + "ab" * 32,
                    digests=["ghcr.io/docker-grade/probe@sha256:" + "cd" * 32],
                ),
            ),
            started_at=datetime(2000, 1, 1, tzinfo=timezone.utc),
            duration_s=2.5,
            score=sum(e.score for e in exercises),
            max_score=sum(e.max_score for e in exercises),
            exercises=exercises,
        )
        text = report.model_dump_json(indent=2) + "\n"
        text = re.sub(r'"started_at": "[^"]*"', f'"started_at": "{STAMP}"', text)
        variants.append(text.encode())
    return variants


# -- the floor ------------------------------------------------------------------------------------
def floor_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    state = {"revision": 0, "last": {}}
    changed = asyncio.Condition()

    async def gradings(request):
        report = json.loads(await request.body())
        key = request.headers.get("idempotency-key")
        state["last"][report["student"]["id"]] = datetime.now(timezone.utc).isoformat()
        state["revision"] += 1
        async with changed:
            changed.notify_all()
        return JSONResponse({"grading_id": key, "stored": True}, status_code=201)

    async def board(request):
        return JSONResponse(
            {
                "revision": state["revision"],
                "students": [
                    {"student_id": s, "last_grading_at": at} for s, at in state["last"].items()
                ],
            }
        )

    async def events(request):
        async def stream():
            seen = state["revision"]
            while True:
                async with changed:
                    await changed.wait_for(lambda seen=seen: state["revision"] > seen)
                seen = state["revision"]
                yield f"event: class\ndata: {json.dumps({'revision': seen})}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/api/gradings", gradings, methods=["POST"]),
            Route("/api/class", board),
            Route("/api/events", events),
        ]
    )


def run_floor(port: int) -> None:
    import uvicorn

    uvicorn.run(floor_app(), host="127.0.0.1", port=port, log_level="warning")


# -- servers --------------------------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path
    cpu_at_start: float = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(command: list[str], port: int, log: Path) -> Server:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    return Server(process, f"http://127.0.0.1:{port}", log)


def serve_command(roster: Path, state: Path, port: int, db: str | None) -> list[str]:
    command = [sys.executable, "-m", "grader", "serve", str(roster), "--state", str(state)]
    return command + (["--db", db] if db else []) + ["--host", "127.0.0.1", "--port", str(port)]


def wait_ready(server: Server, token: str | None, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"the server ended: {server.log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{server.url}/api/class", headers=headers, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer: {server.log.read_text(errors='replace')}")


def read_credentials(state: Path, timeout: float = 60.0) -> tuple[dict[str, str], str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with (state / "tokens.csv").open(newline="") as handle:
                tokens = {row["student_id"]: row["token"] for row in csv.DictReader(handle)}
            text = (state / "instructor.txt").read_text()
            instructor = re.search(r"^token:\s*(\S+)", text, re.M).group(1)
            if tokens:
                return tokens, instructor
        except (OSError, AttributeError, KeyError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"no tokens.csv / instructor.txt in {state}")


def free_port() -> int:
    from support.postgres import free_port as free

    return free()


def cpu_s(pid: int, children: bool = True) -> float:
    """utime+stime of the process, and of its waited-for children (cutime, cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # ended since it was listed
    return sum(int(v) for v in fields[11 : 15 if children else 13]) / TICKS


def peak_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024


def postgres_cpu_s(server) -> float:
    """The postmaster's CPU, its children's that ended included, and its running children's."""
    postmaster, *children = server.processes()
    return cpu_s(postmaster) + sum(cpu_s(pid, children=False) for pid in children)


# -- the load -------------------------------------------------------------------------------------
@dataclass
class Sent:
    student: str
    due: float  # monotonic
    sent: float  # monotonic
    sent_wall: float
    acked: float | None = None
    status: int | None = None


@dataclass
class Board:
    events: list[float] = field(default_factory=list)  # arrival, monotonic
    fetches: list[tuple[float, dict[str, float]]] = field(default_factory=list)  # end, last at
    pending: asyncio.Event = field(default_factory=asyncio.Event)


async def student_loop(client, url, student, token, bodies, start, seconds, rate, log):
    period = 1.0 / rate
    due = start + random.uniform(0, period)
    k = 0
    offset = random.randrange(len(bodies))
    while due < start + seconds:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        wall = time.time()
        stamp = datetime.fromtimestamp(wall, timezone.utc).isoformat().encode()
        body = bodies[(offset + k // 5) % len(bodies)]
        body = body.replace(STAMP.encode(), stamp).replace(b"@STUDENT@", student.encode())
        entry = Sent(student, due, time.monotonic(), wall)
        log.append(entry)
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": f"{student}:{k}:{random.getrandbits(64):016x}",
            "Content-Type": "application/json",
        }
        try:
            answer = await client.post(f"{url}/api/gradings", content=body, headers=headers)
            entry.status = answer.status_code
        except Exception as error:  # noqa: BLE001 — counted as lost, named below
            entry.status = -1
            print(f"  {student}: {type(error).__name__}: {error}", file=sys.stderr)
        entry.acked = time.monotonic()
        k += 1
        due += period


async def listen(client, url: str, instructor: str, board: Board, ready: asyncio.Event):
    headers = {"Authorization": f"Bearer {instructor}"}
    async with client.stream("GET", f"{url}/api/events", headers=headers) as stream:
        ready.set()
        kind = None
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind == "class":
                board.events.append(time.monotonic())
                board.pending.set()


async def open_board(client, url: str, instructor: str, board: Board):
    """As the board's page: on events, fetch /api/class, one fetch at a time."""
    headers = {"Authorization": f"Bearer {instructor}"}
    while True:
        await board.pending.wait()
        board.pending.clear()
        answer = await client.get(f"{url}/api/class", headers=headers)
        ended = time.monotonic()
        last = {}
        for row in answer.json().get("students", []):
            if row.get("last_grading_at"):
                last[row["student_id"]] = datetime.fromisoformat(row["last_grading_at"]).timestamp()
        board.fetches.append((ended, last))


async def load(servers, listener, tokens, instructor, bodies, args) -> tuple[list[Sent], Board]:
    """Each student its own client and keep-alive connection, as each runs its own watch (one
    pool of 200 connections would cost the client more than the server: httpcore's pool
    scans its connections for each request)."""
    import ssl

    import httpx

    students = list(tokens)[: args.students]
    context = ssl.create_default_context()  # made once: each client would load certifi's
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(limits=one, timeout=30, verify=context) for _ in students]
    log: list[Sent] = []
    board = Board()
    try:
        async with httpx.AsyncClient(timeout=None, verify=context) as board_client:
            ready = asyncio.Event()
            listening = asyncio.create_task(
                listen(board_client, listener, instructor, board, ready)
            )
            await asyncio.wait_for(ready.wait(), 30)
            fetching = asyncio.create_task(open_board(board_client, listener, instructor, board))
            start = time.monotonic() + 0.5
            tasks = [
                student_loop(
                    clients[n],
                    servers[n % len(servers)].url,
                    student,
                    tokens[student],
                    bodies,
                    start,
                    args.seconds,
                    args.rate,
                    log,
                )
                for n, student in enumerate(students)
            ]
            await asyncio.gather(*tasks)
            await asyncio.sleep(2.0)  # the last events and fetches
            listening.cancel()
            fetching.cancel()
            await asyncio.gather(listening, fetching, return_exceptions=True)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return log, board


# -- one mode -------------------------------------------------------------------------------------
@dataclass
class Result:
    mode: str
    log: list[Sent]
    board: Board
    cpu: list[float]
    peak: list[float]
    stored: int | None
    extra: str = ""


def run_mode(mode: str, args, bodies: list[bytes], folder: Path) -> Result:
    state = folder / mode
    state.mkdir()
    roster = folder / "roster.csv"
    postgres = None
    servers: list[Server] = []
    try:
        if mode == "floor":
            port = free_port()
            command = [sys.executable, __file__, "--floor-app", str(port)]
            servers.append(start_server(command, port, state / "floor.log"))
            tokens = {f"s{n:03d}": "floor" for n in range(args.students)}
            instructor = "floor"
            wait_ready(servers[0], None)
        else:
            db = None
            if mode == "postgres":
                from support.postgres import PostgresServer

                postgres = PostgresServer(durable=True).start()
                db = postgres.create_database("bench_class")
            processes = 2 if mode == "postgres" else 1
            for n in range(processes):
                port = free_port()
                command = serve_command(roster, state, port, db)
                servers.append(start_server(command, port, state / f"serve-{n}.log"))
                tokens, instructor = read_credentials(state)
                wait_ready(servers[-1], instructor)
        for server in servers:
            server.cpu_at_start = cpu_s(server.pid)
        pg_cpu = postgres_cpu_s(postgres) if postgres else 0.0
        client_cpu = time.process_time()
        listener = servers[-1].url
        log, board = asyncio.run(load(servers, listener, tokens, instructor, bodies, args))
        cpu = [cpu_s(s.pid) - s.cpu_at_start for s in servers]
        peak = [peak_mb(s.pid) for s in servers]
        extra = f"load client CPU {time.process_time() - client_cpu:.1f} s"
        if postgres:
            extra += f"; PostgreSQL CPU {postgres_cpu_s(postgres) - pg_cpu:.1f} s"
        stored = None
        if mode != "floor":
            stored = count_stored(
                db or f"sqlite:///{(state / 'class.sqlite3').resolve()}", servers[-1].url
            )
        return Result(mode, log, board, cpu, peak, stored, extra)
    finally:
        for server in servers:
            server.stop()
        if postgres:
            postgres.stop()


def count_stored(url: str, _server: str) -> int | None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM gradings")).scalar_one()
    except sa.exc.SQLAlchemyError as error:
        print(f"  could not count the stored gradings: {error}", file=sys.stderr)
        return None
    finally:
        engine.dispose()


# -- figures --------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def board_latencies(result: Result) -> tuple[list[float], int]:
    """(board latencies, acknowledged gradings never seen on the board)."""
    fetches = result.board.fetches
    ends = [end for end, _ in fetches]
    board_lat, unseen = [], 0
    for entry in result.log:
        if entry.acked is None or not (200 <= (entry.status or 0) < 300):
            continue
        j = bisect_right(ends, entry.sent)
        while j < len(fetches) and fetches[j][1].get(entry.student, 0.0) < entry.sent_wall:
            j += 1
        if j < len(fetches):
            board_lat.append(fetches[j][0] - entry.sent)
        else:
            unseen += 1
    return board_lat, unseen


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def print_table(results: list[Result], args, body_sizes: list[int]) -> None:
    print(
        f"\n{args.students} students x {args.rate:g} grading/s for {args.seconds:g} s; "
        f"body {min(body_sizes) / 1024:.1f}-{max(body_sizes) / 1024:.1f} KiB "
        f"(check --format json of the whole course)"
    )
    header = (
        f"{'mode':<9} {'ack p50':>7} {'p99':>5} {'max':>5} "
        f"{'board p50':>9} {'p99':>5} {'max':>5} {'CPU s/process':>15} {'peak MB':>11} "
        f"{'sent':>6} {'acked':>6} {'stored':>6} {'lost':>4}"
    )
    print(header + "\n" + "-" * len(header))
    for r in results:
        acks = [e.acked - e.due for e in r.log if e.acked and 200 <= (e.status or 0) < 300]
        board_lat, unseen = board_latencies(r)
        acked = len(acks)
        stored = "-" if r.stored is None else str(r.stored)
        lost = len(r.log) - acked + (0 if r.stored is None else max(0, acked - r.stored))
        print(
            f"{r.mode:<9} {ms(percentile(acks, 0.5)):>7} {ms(percentile(acks, 0.99)):>5} "
            f"{ms(max(acks, default=None)):>5} {ms(percentile(board_lat, 0.5)):>9} "
            f"{ms(percentile(board_lat, 0.99)):>5} {ms(max(board_lat, default=None)):>5} "
            f"{'/'.join(f'{c:.1f}' for c in r.cpu):>15} "
            f"{'/'.join(f'{p:.0f}' for p in r.peak):>11} "
            f"{len(r.log):>6} {acked:>6} {stored:>6} {lost:>4}"
        )
        others = {s: sum(1 for e in r.log if e.status == s) for s in {e.status for e in r.log}}
        notes = [r.extra, f"board fetches {len(r.board.fetches)}, events {len(r.board.events)}"]
        if unseen:
            notes.append(f"{unseen} acknowledged gradings never seen on the board")
        if set(others) - {201}:
            notes.append(f"answers {others}")
        print("          " + "; ".join(n for n in notes if n))
    print("times in ms; " + TARGETS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1.0, help="gradings per second per student")
    parser.add_argument("--modes", default="floor,sqlite,postgres")
    parser.add_argument("--floor-app", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_app:
        run_floor(args.floor_app)
        return 0
    variants = report_variants()
    sizes = [len(v) for v in variants]
    print(f"a grading's body: {min(sizes)}-{max(sizes)} bytes ({len(variants)} stages)")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        folder = Path(scratch)
        with (folder / "roster.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student_id", "name"])
            for n in range(args.students):
                writer.writerow([f"s{n:03d}", f"Student {n:03d}"])
        for mode in args.modes.split(","):
            print(f"{mode}: {args.students} students for {args.seconds:g} s…", flush=True)
            results.append(run_mode(mode, args, variants, folder))
    print_table(results, args, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
