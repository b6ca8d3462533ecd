"""Tokens: random, shown once (``tokens.csv``, ``instructor.txt``), stored only as hashes.

A token is 32 random bytes: a plain SHA-256 of it is as good as a slow hash, and cheap to
check on every request.

>>> token = new_token("student"); token.startswith("dgs_"), len(token_hash(token))
(True, 64)
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from pathlib import Path

from grader.atomic_write import write_atomically

PREFIX = {"student": "dgs_", "instructor": "dgi_", "session": "dgc_"}
TOKENS_FILE = "tokens.csv"
INSTRUCTOR_FILE = "instructor.txt"


def new_token(kind: str) -> str:
    return PREFIX[kind] + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def student_command(url: str, token: str) -> str:
    return f"docker-grade watch --class {url} --token {token}"


def add_to_tokens_file(state_dir: Path, rows: list[tuple[str, str, str]], url: str) -> None:
    """Appends ``(student_id, name, token)`` rows to ``tokens.csv`` (kept private: 0600); the
    rows already there stay, since their tokens exist nowhere else."""
    path = state_dir / TOKENS_FILE
    kept = path.read_text(encoding="utf-8") if path.exists() else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not kept:
        writer.writerow(["student_id", "name", "token", "command"])
    for student_id, name, token in rows:
        writer.writerow([student_id, name, token, student_command(url, token)])
    write_atomically(path, kept + buffer.getvalue(), mode=0o600)


def write_instructor_file(state_dir: Path, url: str, token: str) -> None:
    text = (
        f"The class board: {url}/\n"
        f"Log in at {url}/login with the instructor token below (paste it in the form; it is\n"
        "never put in an address). Keep it to yourself: it shows every student's work.\n"
        "\n"
        f"token: {token}\n"
        "\n"
        f"Each student runs the command of their line in {TOKENS_FILE}.\n"
    )
    write_atomically(state_dir / INSTRUCTOR_FILE, text, mode=0o600)
