"""The class server's storage: SQLite in the state folder by default, PostgreSQL when given.

Every call is synchronous and short (the app runs them in its thread pool). Writes that read
what they change (merging a grading into the student's results) lock the student's row, so
that two ``serve`` processes sharing a PostgreSQL database merge one after the other.

>>> store = ClassStore("sqlite:///state/class.sqlite3")          # doctest: +SKIP
>>> store.migrate()                                               # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from grader.classroom import tables as t
from grader.classroom.outline import CourseOutline, summary
from grader.classroom.roster import ClassStudent
from grader.classroom.tokens import new_token, token_hash
from grader.report.models import ExerciseResult, Report

MIGRATIONS = Path(__file__).parent / "migrations"
HISTORY_POINTS = 500  # the score-over-time plot's length
CHECKPOINT_S = 0.5
RESTART_FRAMES = 4000  # 16 MB of log
MIGRATION_LOCK = 0x64675F63  # a PostgreSQL advisory lock: one process migrates at a time


class Stored(str, Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # the same grading id with the same body: a resend
    CONFLICT = "conflict"  # the same grading id with another body


@dataclass(frozen=True)
class StudentState:
    """A student as the board shows them."""

    student_id: str
    name: str
    last_grading_at: datetime | None
    last_change_at: datetime | None
    first_failing: str | None
    first_failing_since: datetime | None
    help_since: datetime | None
    summaries: dict[str, dict]  # exercise id -> {"score", "max_score", "checks"}


def now() -> datetime:
    return datetime.now(timezone.utc)


def database_url(url: str | None, state_dir: Path) -> str:
    """``--db``: PostgreSQL through psycopg 3 whatever the URL's spelling; else the state
    folder's SQLite file."""
    if not url:
        return f"sqlite:///{(state_dir / 'class.sqlite3').resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class ClassStore:
    def __init__(self, url: str):
        self.url = sa.engine.make_url(url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.changed_here = 0  # the latest revision this process committed
        if self.sqlite:
            self.reader = _sqlite_engine(url, immediate=False)
            self.writer = _sqlite_engine(url, immediate=True)
            self._write_turn: contextlib.AbstractContextManager = threading.Lock()
            self._stopping = threading.Event()
            threading.Thread(target=self._checkpoints, daemon=True).start()
        else:
            # pre-ping: a connection broken while the database was away is replaced, not used
            self.reader = self.writer = sa.create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=5
            )
            self._write_turn = contextlib.nullcontext()  # rows are locked in the database

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction. On SQLite the process's writers take turns on a lock of
        their own: waiting on SQLite's busy handler instead sleeps up to 100 ms at a time."""
        with self._write_turn:
            with self.writer.begin() as connection:
                yield connection
                revisions = connection.info.pop("revisions", [])
            # committed
            self.changed_here = max([self.changed_here, *revisions])

    def _checkpoints(self) -> None:
        """Copies SQLite's write-ahead log into the database every CHECKPOINT_S, beside the
        writes (PASSIVE waits for no one), rather than in the commit that fills a page count,
        which would make that grading's answer wait. Once the log is long, it starts again
        from its beginning (RESTART, quick once PASSIVE copied it all), between two writes."""
        while not self._stopping.wait(CHECKPOINT_S):
            # outside any transaction: one of its own would hold back what it may copy
            connection = self.reader.raw_connection()
            try:
                sqlite = connection.driver_connection
                _, frames, _ = sqlite.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if frames > RESTART_FRAMES:
                    with self._write_turn:
                        sqlite.execute("PRAGMA wal_checkpoint(RESTART)")
            except sqlite3.Error:
                pass
            finally:
                connection.close()

    def close(self) -> None:
        if self.sqlite:
            self._stopping.set()
        self.reader.dispose()
        self.writer.dispose()

    # -- start --------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Brings the tables to the latest migration (Alembic); processes starting together
        on one PostgreSQL database take turns."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._writing() as connection:
            if not self.sqlite:
                connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def enrol(self, roster: list[ClassStudent]) -> tuple[list[tuple[str, str, str]], str | None]:
        """Gives every roster student not yet known a token, and the class an instructor
        token on first start. Returns the new ``(student_id, name, token)`` rows and the new
        instructor token (None when there already is one); only hashes are stored."""
        created: list[tuple[str, str, str]] = []
        with self._writing() as connection:
            if not self.sqlite:
                connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            known = set(connection.execute(sa.select(t.students.c.student_id)).scalars())
            for position, student in enumerate(roster):
                if student.student_id not in known:
                    token = new_token("student")
                    connection.execute(
                        t.students.insert().values(
                            student_id=student.student_id,
                            name=student.name,
                            position=position,
                            token_hash=token_hash(token),
                        )
                    )
                    created.append((student.student_id, student.name, token))
                else:
                    connection.execute(
                        t.students.update()
                        .where(t.students.c.student_id == student.student_id)
                        .values(name=student.name, position=position)
                    )
            instructor = None
            if not connection.execute(
                sa.select(sa.func.count()).select_from(t.instructors)
            ).scalar():
                instructor = new_token("instructor")
                connection.execute(t.instructors.insert().values(token_hash=token_hash(instructor)))
        return created, instructor

    # -- who is asking ------------------------------------------------------------------------

    def student_of(self, token: str) -> str | None:
        with self.reader.connect() as connection:
            return connection.execute(
                sa.select(t.students.c.student_id).where(
                    t.students.c.token_hash == token_hash(token)
                )
            ).scalar()

    def is_instructor(self, token: str) -> bool:
        with self.reader.connect() as connection:
            return bool(
                connection.execute(
                    sa.select(t.instructors.c.id).where(
                        t.instructors.c.token_hash == token_hash(token)
                    )
                ).first()
            )

    def open_session(self) -> str:
        token = new_token("session")
        with self._writing() as connection:
            connection.execute(
                t.sessions.insert().values(token_hash=token_hash(token), created_at=now())
            )
        return token

    def has_session(self, token: str) -> bool:
        with self.reader.connect() as connection:
            return bool(
                connection.execute(
                    sa.select(t.sessions.c.token_hash).where(
                        t.sessions.c.token_hash == token_hash(token)
                    )
                ).first()
            )

    def close_session(self, token: str) -> None:
        with self._writing() as connection:
            connection.execute(
                t.sessions.delete().where(t.sessions.c.token_hash == token_hash(token))
            )

    # -- what students send -------------------------------------------------------------------

    def store_grading(
        self, student_id: str, key: str, body: bytes, report: Report, outline: CourseOutline
    ) -> Stored:
        """Stores a grading whole and merges its exercises into the student's latest results."""
        digest = hashlib.sha256(body).hexdigest()
        at = now()
        with self._writing() as connection:
            student = connection.execute(
                sa.select(t.students).where(t.students.c.student_id == student_id).with_for_update()
            ).one()
            earlier = connection.execute(
                sa.select(t.gradings.c.body_sha256).where(
                    t.gradings.c.student_id == student_id, t.gradings.c.grading_key == key
                )
            ).scalar()
            if earlier is not None:
                return Stored.DUPLICATE if earlier == digest else Stored.CONFLICT
            summaries = json.loads(student.exercises)
            new = {result.id: summary(result) for result in report.exercises}
            changed = any(summaries.get(i, {}).get("checks") != new[i]["checks"] for i in new)
            grading_id = connection.execute(
                t.gradings.insert()
                .values(
                    student_id=student_id,
                    grading_key=key,
                    body_sha256=digest,
                    received_at=at,
                    report=body.decode("utf-8"),
                    score=sum(s["score"] for s in {**summaries, **new}.values()),
                    max_score=sum(s["max_score"] for s in {**summaries, **new}.values()),
                )
                .returning(t.gradings.c.id)
            ).scalar_one()
            summaries.update({i: {**value, "grading": grading_id} for i, value in new.items()})
            first_failing = outline.first_failing(summaries)
            progress = {"last_grading_at": at, "exercises": json.dumps(summaries)}
            if changed or student.last_change_at is None:
                progress["last_change_at"] = at
            if first_failing != student.first_failing or student.first_failing_since is None:
                progress.update(first_failing=first_failing, first_failing_since=at)
            connection.execute(
                t.students.update().where(t.students.c.student_id == student_id).values(**progress)
            )
            self._changed(connection, student_id, at)
        return Stored.STORED

    def set_help(self, student_id: str, wanted: bool) -> bool:
        """Raises or clears a student's help flag (raising it again keeps its first time)."""
        at = now()
        with self._writing() as connection:
            current = connection.execute(
                sa.select(t.students.c.help_since)
                .where(t.students.c.student_id == student_id)
                .with_for_update()
            ).scalar()
            if wanted and current is None or not wanted and current is not None:
                connection.execute(
                    t.students.update()
                    .where(t.students.c.student_id == student_id)
                    .values(help_since=at if wanted else None)
                )
                self._changed(connection, student_id, at)
        return wanted

    def _changed(self, connection: Connection, student_id: str, at: datetime) -> None:
        """Records a change; once committed, ``changed_here`` tells this process's boards
        without asking the database."""
        revision = connection.execute(
            t.changes.insert().values(student_id=student_id, at=at).returning(t.changes.c.id)
        ).scalar_one()
        connection.info.setdefault("revisions", []).append(revision)

    # -- what the board reads -----------------------------------------------------------------

    def revision(self) -> int:
        with self.reader.connect() as connection:
            return connection.execute(sa.select(sa.func.max(t.changes.c.id))).scalar() or 0

    def students(self, student_ids: list[str] | None = None) -> list[StudentState]:
        """The students (all, or these), in roster order, with their exercises' summaries."""
        query = sa.select(t.students).order_by(t.students.c.position, t.students.c.student_id)
        if student_ids is not None:
            query = query.where(t.students.c.student_id.in_(student_ids))
        with self.reader.connect() as connection:
            rows = connection.execute(query).all()
        return [
            StudentState(
                row.student_id,
                row.name,
                _aware(row.last_grading_at),
                _aware(row.last_change_at),
                row.first_failing,
                _aware(row.first_failing_since),
                _aware(row.help_since),
                {
                    exercise: {key: value[key] for key in ("score", "max_score", "checks")}
                    for exercise, value in json.loads(row.exercises).items()
                },
            )
            for row in rows
        ]

    def latest(self, student_id: str) -> tuple[dict[str, ExerciseResult], Report | None]:
        """A student's latest result of each exercise, and their latest grading whole."""
        with self.reader.connect() as connection:
            exercises = connection.execute(
                sa.select(t.students.c.exercises).where(t.students.c.student_id == student_id)
            ).scalar()
            sources = {e: v["grading"] for e, v in json.loads(exercises or "{}").items()}
            bodies = dict(
                connection.execute(
                    sa.select(t.gradings.c.id, t.gradings.c.report).where(
                        t.gradings.c.id.in_(set(sources.values()))
                    )
                ).all()
            )
        parsed = {grading: Report.model_validate_json(body) for grading, body in bodies.items()}
        results = {
            exercise: next(e for e in parsed[grading].exercises if e.id == exercise)
            for exercise, grading in sources.items()
        }
        return results, parsed[max(parsed)] if parsed else None

    def history(self, student_id: str) -> list[tuple[datetime, float, float]]:
        """``(received_at, score, max_score)`` of the student's latest gradings, oldest first."""
        with self.reader.connect() as connection:
            rows = connection.execute(
                sa.select(t.gradings.c.received_at, t.gradings.c.score, t.gradings.c.max_score)
                .where(t.gradings.c.student_id == student_id)
                .order_by(t.gradings.c.id.desc())
                .limit(HISTORY_POINTS)
            ).all()
        return [(_aware(at), score, max_score) for at, score, max_score in reversed(rows)]

    def count_gradings(self) -> int:
        with self.reader.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(t.gradings)).scalar()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive times; every time stored is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    """SQLite in WAL mode: readers never wait for the writer; a write transaction takes the
    write lock at its start (BEGIN IMMEDIATE), so that a merge reads what it changes. WAL with
    synchronous=NORMAL loses nothing committed when the process is killed."""
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event below decides
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # ClassStore._checkpoints does it
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
