"""The class server's tables (SQLAlchemy Core), as the latest migration leaves them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per roster student: their token's hash and what the board needs at a glance, kept
# up to date as each grading arrives (the board never reads the gradings themselves).
students = sa.Table(
    "students",
    metadata,
    sa.Column("student_id", sa.String(128), primary_key=True),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # the roster's order
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("last_grading_at", sa.DateTime(timezone=True)),
    sa.Column("last_change_at", sa.DateTime(timezone=True)),
    sa.Column("first_failing", sa.String(300)),  # "exercise/check", first in course order
    sa.Column("first_failing_since", sa.DateTime(timezone=True)),
    sa.Column("help_since", sa.DateTime(timezone=True)),
    # the latest result of each exercise (a grading may carry only some), as JSON:
    # {exercise: {"score", "max_score", "checks": {check: status}, "grading": gradings.id}}
    sa.Column("exercises", sa.Text, nullable=False, server_default="{}"),
)

instructors = sa.Table(
    "instructors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
)

# A logged-in board: the cookie holds a random session token, the table its hash.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Every grading received, whole, as the student's watch sent it.
gradings = sa.Table(
    "gradings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("student_id", sa.String(128), sa.ForeignKey("students.student_id"), nullable=False),
    sa.Column("grading_key", sa.String(128), nullable=False),  # the client's Idempotency-Key
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("report", sa.Text, nullable=False),
    # the student's whole score once this grading was merged in: the score-over-time plot
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("max_score", sa.Float, nullable=False),
    sa.UniqueConstraint("student_id", "grading_key", name="uq_gradings_student_key"),
)

# One row per change the boards must show (a grading, a help flag): its id is the revision
# that every serve process sharing the database watches.
changes = sa.Table(
    "changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("student_id", sa.String(128), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
