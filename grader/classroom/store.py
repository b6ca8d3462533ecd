"""The class server's storage: SQLite in the state folder by default, PostgreSQL when given.

Every call is synchronous and short (the app runs them in its thread pool). Writes that read
what they change (merging a grading into the student's results) lock the student's row, so
that two ``serve`` processes sharing a PostgreSQL database merge one after the other.

>>> store = ClassStore("sqlite:///state/class.sqlite3")          # doctest: +SKIP
>>> store.migrate()                                               # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from grader.classroom import tables as t
from grader.classroom.outline import CourseOutline, summary
from grader.classroom.roster import ClassStudent
from grader.classroom.tokens import new_token, token_hash
from grader.report.models import ExerciseResult, Report

MIGRATIONS = Path(__file__).parent / "migrations"
HISTORY_POINTS = 500  # the score-over-time plot's length
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
        if self.sqlite:
            self.reader = _sqlite_engine(url, immediate=False)
            self.writer = _sqlite_engine(url, immediate=True)
        else:
            # pre-ping: a connection broken while the database was away is replaced, not used
            self.reader = self.writer = sa.create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=5
            )

    def close(self) -> None:
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
        with self.writer.begin() as connection:
            if not self.sqlite:
                connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def enrol(self, roster: list[ClassStudent]) -> tuple[list[tuple[str, str, str]], str | None]:
        """Gives every roster student not yet known a token, and the class an instructor
        token on first start. Returns the new ``(student_id, name, token)`` rows and the new
        instructor token (None when there already is one); only hashes are stored."""
        created: list[tuple[str, str, str]] = []
        with self.writer.begin() as connection:
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
        with self.writer.begin() as connection:
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
        with self.writer.begin() as connection:
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
        with self.writer.begin() as connection:
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
            summaries = _summaries(connection, student_id)
            new = {result.id: summary(result) for result in report.exercises}
            changed = any(summaries.get(i, {}).get("checks") != new[i]["checks"] for i in new)
            summaries.update(new)
            grading_id = connection.execute(
                t.gradings.insert()
                .values(
                    student_id=student_id,
                    grading_key=key,
                    body_sha256=digest,
                    received_at=at,
                    report=body.decode("utf-8"),
                    score=sum(s["score"] for s in summaries.values()),
                    max_score=sum(s["max_score"] for s in summaries.values()),
                )
                .returning(t.gradings.c.id)
            ).scalar_one()
            _save_summaries(connection, student_id, grading_id, new)
            first_failing = outline.first_failing(summaries)
            progress = {"last_grading_at": at}
            if changed or student.last_change_at is None:
                progress["last_change_at"] = at
            if first_failing != student.first_failing or student.first_failing_since is None:
                progress.update(first_failing=first_failing, first_failing_since=at)
            connection.execute(
                t.students.update().where(t.students.c.student_id == student_id).values(**progress)
            )
            connection.execute(t.changes.insert().values(student_id=student_id, at=at))
        return Stored.STORED

    def set_help(self, student_id: str, wanted: bool) -> bool:
        """Raises or clears a student's help flag (raising it again keeps its first time)."""
        at = now()
        with self.writer.begin() as connection:
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
                connection.execute(t.changes.insert().values(student_id=student_id, at=at))
        return wanted

    # -- what the board reads -----------------------------------------------------------------

    def revision(self) -> int:
        with self.reader.connect() as connection:
            return connection.execute(sa.select(sa.func.max(t.changes.c.id))).scalar() or 0

    def students(self, student_ids: list[str] | None = None) -> list[StudentState]:
        """The students (all, or these), in roster order, with their exercises' summaries."""
        query = sa.select(t.students).order_by(t.students.c.position, t.students.c.student_id)
        summaries_query = sa.select(
            t.exercise_results.c.student_id,
            t.exercise_results.c.exercise_id,
            t.exercise_results.c.summary,
        )
        if student_ids is not None:
            query = query.where(t.students.c.student_id.in_(student_ids))
            summaries_query = summaries_query.where(
                t.exercise_results.c.student_id.in_(student_ids)
            )
        with self.reader.connect() as connection:
            rows = connection.execute(query).all()
            summaries: dict[str, dict[str, dict]] = {}
            for student_id, exercise_id, summary in connection.execute(summaries_query):
                summaries.setdefault(student_id, {})[exercise_id] = json.loads(summary)
        return [
            StudentState(
                row.student_id,
                row.name,
                _aware(row.last_grading_at),
                _aware(row.last_change_at),
                row.first_failing,
                _aware(row.first_failing_since),
                _aware(row.help_since),
                summaries.get(row.student_id, {}),
            )
            for row in rows
        ]

    def latest(self, student_id: str) -> tuple[dict[str, ExerciseResult], Report | None]:
        """A student's latest result of each exercise, and their latest grading whole."""
        with self.reader.connect() as connection:
            rows = connection.execute(
                sa.select(t.exercise_results.c.exercise_id, t.gradings.c.id, t.gradings.c.report)
                .join(t.gradings, t.gradings.c.id == t.exercise_results.c.grading_id)
                .where(t.exercise_results.c.student_id == student_id)
            ).all()
        reports = {grading_id: body for _, grading_id, body in rows}
        parsed = {
            grading_id: Report.model_validate_json(body) for grading_id, body in reports.items()
        }
        results = {
            exercise_id: next(e for e in parsed[grading_id].exercises if e.id == exercise_id)
            for exercise_id, grading_id, _ in rows
        }
        latest = parsed[max(parsed)] if parsed else None
        return results, latest

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


def _summaries(connection: Connection, student_id: str) -> dict[str, dict]:
    rows = connection.execute(
        sa.select(t.exercise_results.c.exercise_id, t.exercise_results.c.summary).where(
            t.exercise_results.c.student_id == student_id
        )
    )
    return {exercise_id: json.loads(text) for exercise_id, text in rows}


def _save_summaries(
    connection: Connection, student_id: str, grading_id: int, summaries: dict[str, dict]
) -> None:
    connection.execute(
        t.exercise_results.delete().where(
            t.exercise_results.c.student_id == student_id,
            t.exercise_results.c.exercise_id.in_(list(summaries)),
        )
    )
    connection.execute(
        t.exercise_results.insert(),
        [
            {
                "student_id": student_id,
                "exercise_id": exercise_id,
                "grading_id": grading_id,
                "summary": json.dumps(value),
            }
            for exercise_id, value in summaries.items()
        ],
    )


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
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
