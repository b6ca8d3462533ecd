"""The board's pages: HTML shells in the board's language. The data comes from the API
(docs/class-server.md) and is put in the page by ``static/board.js`` and ``static/student.js``
with ``textContent``, never ``innerHTML``: everything the API returns is the students' text.

The pages carry their UI strings as JSON (``<script type="application/json" id="strings">``:
data, not code, so the CSP's ``script-src 'self'`` allows it), have no inline script or style
attribute, and load only ``/static/*``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from grader.languages import LANGS

STATIC_DIR: Path = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR: Path = Path(__file__).resolve().parent / "templates"

# Every UI string of the pages, in both languages ({name} placeholders are filled by the JS).
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app_name": "docker-grade",
        "board_title": "Class board",
        "student_title": "Student",
        "login_title": "Instructor login",
        "login_token": "Instructor token",
        "login_help": "Paste the instructor token (instructor.txt, written by docker-grade serve).",
        "login_submit": "Log in",
        "logout": "Log out",
        "noscript": "This page needs JavaScript.",
        "loading": "Loading…",
        "live": "live",
        "reconnecting": "reconnecting…",
        "updated": "updated at {time}",
        "load_error": "Could not load the data: {error}",
        "room_title": "Explain to the room",
        "room_empty": "No check is failing right now.",
        "room_count_one": "1 student",
        "room_count_many": "{n} students",
        "room_who": "Who?",
        "room_hide": "Hide",
        "room_more_one": "and 1 more failing check",
        "room_more_many": "and {n} more failing checks",
        "grid_title": "Students",
        "col_student": "Student",
        "col_total": "Total",
        "no_students": "No student in the roster.",
        "stuck": "stuck since {time} (on {where})",
        "help": "asks for help",
        "help_since": "asks for help since {time}",
        "clear": "Clear",
        "clear_title": "Mark the help request as handled",
        "clear_failed": "Could not clear the help request: {error}",
        "not_graded": "not graded",
        "status_passed": "passed",
        "status_failed": "failed",
        "status_skipped": "waits on another check",
        "status_error": "could not be decided",
        "status_missing": "not graded",
        "detail_close": "Close",
        "legend_pass": "all passed",
        "legend_some": "some failing",
        "legend_none": "none passed, or not graded",
        "student_back": "← Class board",
        "student_latest": "Latest grading",
        "student_history": "Score over time",
        "student_no_history": "No grading yet.",
        "student_no_text": "Nothing graded yet.",
        "student_last_grading": "last grading at {time}",
        "plot_label": "Score of {name} over time, from {start} to {end}",
        "plot_point": "{time}: {score}",
    },
    "fr": {
        "app_name": "docker-grade",
        "board_title": "Tableau de la classe",
        "student_title": "Étudiant",
        "login_title": "Connexion de l'enseignant",
        "login_token": "Jeton de l'enseignant",
        "login_help": (
            "Collez le jeton de l'enseignant (instructor.txt, écrit par docker-grade serve)."
        ),
        "login_submit": "Se connecter",
        "logout": "Se déconnecter",
        "noscript": "Cette page a besoin de JavaScript.",
        "loading": "Chargement…",
        "live": "en direct",
        "reconnecting": "reconnexion…",
        "updated": "mis à jour à {time}",
        "load_error": "Impossible de charger les données : {error}",
        "room_title": "À expliquer à toute la salle",
        "room_empty": "Aucune vérification n'échoue en ce moment.",
        "room_count_one": "1 étudiant",
        "room_count_many": "{n} étudiants",
        "room_who": "Qui ?",
        "room_hide": "Masquer",
        "room_more_one": "et 1 autre vérification en échec",
        "room_more_many": "et {n} autres vérifications en échec",
        "grid_title": "Étudiants",
        "col_student": "Étudiant",
        "col_total": "Total",
        "no_students": "Aucun étudiant dans la liste.",
        "stuck": "bloqué depuis {time} (sur {where})",
        "help": "demande de l'aide",
        "help_since": "demande de l'aide depuis {time}",
        "clear": "Effacer",
        "clear_title": "Marquer la demande d'aide comme traitée",
        "clear_failed": "Impossible d'effacer la demande d'aide : {error}",
        "not_graded": "pas encore corrigé",
        "status_passed": "réussi",
        "status_failed": "échoué",
        "status_skipped": "attend une autre vérification",
        "status_error": "indécidable",
        "status_missing": "pas encore corrigé",
        "detail_close": "Fermer",
        "legend_pass": "tout réussi",
        "legend_some": "des échecs",
        "legend_none": "rien de réussi, ou pas encore corrigé",
        "student_back": "← Tableau de la classe",
        "student_latest": "Dernière correction",
        "student_history": "Score au fil du temps",
        "student_no_history": "Aucune correction pour l'instant.",
        "student_no_text": "Rien de corrigé pour l'instant.",
        "student_last_grading": "dernière correction à {time}",
        "plot_label": "Score de {name} au fil du temps, de {start} à {end}",
        "plot_point": "{time} : {score}",
    },
}


def _environment() -> jinja2.Environment:
    # autoescape=True (not select_autoescape): every value put in a page is escaped
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_ENV = _environment()


def _strings(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return STRINGS[lang]


def render_board(lang: str) -> str:
    """The board (``/``): a shell that ``static/board.js`` fills from ``/api/class``."""
    strings = _strings(lang)
    return _ENV.get_template("board.html").render(lang=lang, s=strings)


def render_student(lang: str, student_id: str, name: str) -> str:
    """A student's page (``/students/ID``): ``static/student.js`` fills it from
    ``/api/students/ID``; the id travels in a ``data-`` attribute (escaped)."""
    strings = _strings(lang)
    return _ENV.get_template("student.html").render(
        lang=lang, s=strings, student_id=student_id, name=name
    )


def render_login(lang: str, error: str | None = None) -> str:
    """The instructor's login: a form POSTing ``token`` to ``/login`` (no script)."""
    strings = _strings(lang)
    return _ENV.get_template("login.html").render(lang=lang, s=strings, error=error)
