"""Opening a class: its roster read, its database migrated, tokens issued to whoever has none
(written to the state folder, never printed), and the app made.

>>> opened = open_class(Path("class.csv"), Path("state"), None, "http://10.0.0.1:8765")
...                                                                     # doctest: +SKIP
>>> opened.new_students                                             # doctest: +SKIP
30
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy.exc

from grader.classroom.outline import CourseOutline
from grader.classroom.roster import ClassStudent, load_class_roster
from grader.classroom.store import ClassStore, database_url
from grader.classroom.tokens import add_to_tokens_file, write_instructor_file
from grader.errors import UsageError
from grader.spec.catalog import Catalog


@dataclass
class OpenedClass:
    roster: list[ClassStudent]
    store: ClassStore
    outline: CourseOutline
    new_students: int  # tokens issued this time
    new_instructor: bool


def open_class(
    roster_path: Path,
    state_dir: Path,
    db: str | None,
    public_url: str,
    exercise_packs: tuple[Path, ...] = (),
) -> OpenedClass:
    roster = load_class_roster(roster_path)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{state_dir}: cannot make the state folder: {error.strerror}") from None
    store = ClassStore(database_url(db, state_dir))
    try:
        store.migrate()
        created, instructor = store.enrol(roster)
    except sqlalchemy.exc.DBAPIError as error:
        store.close()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        where = store.url.render_as_string(hide_password=True)
        raise UsageError(f"cannot use the database {where}: {reason}") from None
    if created:
        add_to_tokens_file(state_dir, created, public_url)
    if instructor:
        write_instructor_file(state_dir, public_url, instructor)
    outline = CourseOutline.of(Catalog.load(exercise_packs, quiet=True))
    return OpenedClass(roster, store, outline, len(created), instructor is not None)
