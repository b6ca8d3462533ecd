"""The first tables: students, instructors, sessions, gradings, changes.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "students",
        sa.Column("student_id", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("last_grading_at", STAMP),
        sa.Column("last_change_at", STAMP),
        sa.Column("first_failing", sa.String(300)),
        sa.Column("first_failing_since", STAMP),
        sa.Column("help_since", STAMP),
        sa.Column("exercises", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "instructors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "gradings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "student_id", sa.String(128), sa.ForeignKey("students.student_id"), nullable=False
        ),
        sa.Column("grading_key", sa.String(128), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("received_at", STAMP, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.UniqueConstraint("student_id", "grading_key", name="uq_gradings_student_key"),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("student_id", sa.String(128), nullable=False),
        sa.Column("at", STAMP, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "changes",
        "gradings",
        "sessions",
        "instructors",
        "students",
    ):
        op.drop_table(table)
