"""The class summary: one self-contained HTML page an instructor opens after grading a class.

Everything the page shows is computed here, in plain functions (the class average, the score
distribution, each check's pass share); the template only lays it out. The page loads nothing:
the CSS is inline and the charts are inline SVG, so it opens offline and can be mailed as is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import jinja2

from grader.batch.models import ClassResult, RowStatus, StudentRow
from grader.i18n import Lang, Localized, t
from grader.report.models import Report, Status

BUCKETS = 10  # 0–10 %, 10–20 %, … 90–100 % (100 % falls in the last one)


# --- computations ------------------------------------------------------------------------------


def percent_of(report: Report) -> float:
    """A report's score as a percentage of its maximum (0 when there is nothing to score)."""
    return 100.0 * report.score / report.max_score if report.max_score else 0.0


@dataclass(frozen=True)
class Average:
    score: float
    max_score: float
    percent: float
    students: int  # the graded students it is taken over


def class_average(result: ClassResult) -> Optional[Average]:
    """The mean score, maximum and percentage over the graded students; None if nobody was."""
    reports = [row.report for row in result.graded if row.report is not None]
    if not reports:
        return None
    count = len(reports)
    return Average(
        score=sum(r.score for r in reports) / count,
        max_score=sum(r.max_score for r in reports) / count,
        percent=sum(percent_of(r) for r in reports) / count,
        students=count,
    )


@dataclass(frozen=True)
class Bucket:
    low: int  # percent, inclusive
    high: int  # percent, exclusive except for the last bucket
    count: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


def bucket_index(percent: float) -> int:
    """0 for [0, 10), 1 for [10, 20), … 9 for [90, 100]. Rounded first so that 70 % computed as
    69.99999… still lands in 70–80."""
    return min(BUCKETS - 1, max(0, math.floor(round(percent, 6) / (100 / BUCKETS))))


def score_buckets(result: ClassResult) -> list[Bucket]:
    """How many graded students scored in each tenth of the maximum."""
    counts = [0] * BUCKETS
    for row in result.graded:
        if row.report is not None:
            counts[bucket_index(percent_of(row.report))] += 1
    width = 100 // BUCKETS
    return [Bucket(low=i * width, high=(i + 1) * width, count=n) for i, n in enumerate(counts)]


@dataclass(frozen=True)
class CheckRate:
    exercise_id: str
    check_id: str
    title: str
    passed: int
    graded: int  # graded students whose report has this check
    hint: Optional[str]  # from a report where it did not pass; None when everyone passed

    @property
    def share(self) -> float:
        return self.passed / self.graded if self.graded else 0.0

    @property
    def label(self) -> str:
        return f"{self.exercise_id} › {self.check_id}"


def check_pass_rates(result: ClassResult) -> list[CheckRate]:
    """Every check with the share of graded students who passed it, the ones the class fails
    most first (ties in course order: exercises as graded, checks as reported)."""
    found: dict[tuple[str, str], dict] = {}
    for row in result.graded:
        if row.report is None:
            continue
        for exercise in row.report.exercises:
            for check in exercise.checks:
                entry = found.setdefault(
                    (exercise.id, check.id),
                    {"title": check.title, "passed": 0, "graded": 0, "hint": None},
                )
                entry["graded"] += 1
                if check.status is Status.PASSED:
                    entry["passed"] += 1
                elif entry["hint"] is None and check.hint:
                    entry["hint"] = check.hint
    exercise_order = {exercise_id: i for i, exercise_id in enumerate(result.exercise_ids)}
    in_course_order = sorted(
        enumerate(found.items()),
        key=lambda item: (exercise_order.get(item[1][0][0], len(exercise_order)), item[0]),
    )
    rates = [
        CheckRate(
            exercise_id=key[0],
            check_id=key[1],
            title=entry["title"],
            passed=entry["passed"],
            graded=entry["graded"],
            hint=entry["hint"] if entry["passed"] < entry["graded"] else None,
        )
        for _, (key, entry) in in_course_order
    ]
    return sorted(rates, key=lambda rate: rate.share)  # stable: ties keep the course order


# --- chart geometry (the template draws what these say) ----------------------------------------


@dataclass(frozen=True)
class HistogramBar:
    bucket: Bucket
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    baseline: float  # y of the x axis
    left: float
    right: float
    bars: list[HistogramBar]


def histogram(buckets: list[Bucket]) -> Histogram:
    width, height, left, right, top, bottom = 1100, 290, 10, 1090, 28, 226
    most = max((b.count for b in buckets), default=0) or 1
    slot = (right - left) / len(buckets)
    bars = []
    for i, bucket in enumerate(buckets):
        bar_height = (bottom - top) * bucket.count / most
        bars.append(
            HistogramBar(
                bucket=bucket,
                x=left + i * slot + 6,
                y=bottom - bar_height,
                width=slot - 12,
                height=bar_height,
            )
        )
    return Histogram(width=width, height=height, baseline=bottom, left=left, right=right, bars=bars)


@dataclass(frozen=True)
class RateBar:
    rate: CheckRate
    y: float  # top of the row
    bar_width: float
    colour: str
    tier: str
    short_title: str  # the title cut to fit the label column (the full one is in a tooltip)


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    bar_x: float
    bar_max: float  # width of a 100 % bar
    row_height: int
    bars: list[RateBar]


# Dark enough to keep a contrast above 4.5:1 against the white page (WCAG AA), and the share is
# always written next to the bar, so the colour is never the only way to read it.
TIERS = (("low", 0.5, "#b42318"), ("mid", 0.8, "#8a5300"), ("high", math.inf, "#1d6b36"))


def tier_of(share: float) -> tuple[str, str]:
    for name, below, colour in TIERS:
        if share < below:
            return name, colour
    raise AssertionError("unreachable")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rate_chart(rates: list[CheckRate]) -> RateChart:
    row_height, top, bar_x, bar_max = 44, 8, 560, 380
    bars = []
    for i, rate in enumerate(rates):
        tier, colour = tier_of(rate.share)
        bars.append(
            RateBar(
                rate=rate,
                y=top + i * row_height,
                bar_width=bar_max * rate.share,
                colour=colour,
                tier=tier,
                short_title=shorten(rate.title, 80),
            )
        )
    return RateChart(
        width=1100,
        height=top * 2 + row_height * len(rates),
        bar_x=bar_x,
        bar_max=bar_max,
        row_height=row_height,
        bars=bars,
    )


# --- texts -------------------------------------------------------------------------------------

TEXTS: dict[str, Localized] = {
    "title": t("Class summary", "Synthèse de la classe"),
    "generated": t("Generated on", "Générée le"),
    "graded": t("graded", "notés"),
    "ungradable": t("ungradable", "impossibles à noter"),
    "students": t("students", "étudiants"),
    "average": t("Class average", "Moyenne de la classe"),
    "average_over": t("over the graded students", "sur les étudiants notés"),
    "nobody": t(
        "No student could be graded: there is no average, distribution or pass rate "
        "to show. The table below says why for each student.",
        "Aucun étudiant n'a pu être noté : il n'y a ni moyenne, ni répartition, ni taux "
        "de réussite à montrer. Le tableau ci-dessous en donne la raison pour chacun.",
    ),
    "distribution": t("Distribution of scores", "Répartition des notes"),
    "distribution_axis": t("score (% of the maximum)", "note (% du maximum)"),
    "distribution_count": t("students", "étudiants"),
    "distribution_intro": t(
        "Number of graded students in each tenth of the maximum score.",
        "Nombre d'étudiants notés dans chaque dixième de la note maximale.",
    ),
    "checks": t("Pass rate of each check", "Taux de réussite de chaque vérification"),
    "checks_intro": t(
        "Share of the graded students who passed each check; the checks the class "
        "fails most come first.",
        "Part des étudiants notés ayant réussi chaque vérification ; celles que la "
        "classe rate le plus viennent en premier.",
    ),
    "legend_low": t("under 50%", "moins de 50 %"),
    "legend_mid": t("50% to 79%", "de 50 à 79 %"),
    "legend_high": t("80% or more", "80 % ou plus"),
    "hints": t("What to go over in class", "À reprendre en cours"),
    "hints_none": t(
        "Every graded student passed every check.",
        "Tous les étudiants notés ont réussi toutes les vérifications.",
    ),
    "passed_by": t("passed by", "réussie par"),
    "of": t("of", "sur"),
    "hint": t("Hint:", "Conseil :"),
    "table": t("Students", "Étudiants"),
    "col_id": t("id", "identifiant"),
    "col_name": t("name", "nom"),
    "col_score": t("score", "note"),
    "col_percent": t("%", "%"),
    "col_status": t("status", "statut"),
    "status_graded": t("graded", "noté"),
    "status_ungradable": t("ungradable", "impossible à noter"),
    "no_reason": t("no reason given", "raison non précisée"),
}


def number(value: float, lang: Lang, decimals: int = 1) -> str:
    """2 → "2", 2.5 → "2.5" (fr: "2,5"), 2.333 → "2.3"."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",") if lang == "fr" else text


def percent_text(value: float, lang: Lang, decimals: int = 0) -> str:
    return number(value, lang, decimals) + ("\u202f%" if lang == "fr" else "%")


# --- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    row: StudentRow
    graded: bool
    score: str
    percent: str
    exercises: list[str]  # one cell per exercise id, "—" when absent


def table_rows(result: ClassResult, lang: Lang) -> list[TableRow]:
    rows = []
    for row in result.rows:
        report = row.report if row.status is RowStatus.GRADED else None
        if report is None:
            rows.append(
                TableRow(
                    row=row,
                    graded=False,
                    score="—",
                    percent="—",
                    exercises=["—"] * len(result.exercise_ids),
                )
            )
            continue
        by_id = {exercise.id: exercise for exercise in report.exercises}
        cells = [
            f"{number(by_id[e].score, lang)} / {number(by_id[e].max_score, lang)}"
            if e in by_id
            else "—"
            for e in result.exercise_ids
        ]
        rows.append(
            TableRow(
                row=row,
                graded=True,
                score=f"{number(report.score, lang)} / {number(report.max_score, lang)}",
                percent=percent_text(percent_of(report), lang),
                exercises=cells,
            )
        )
    return rows


def exercise_titles(result: ClassResult) -> dict[str, str]:
    titles: dict[str, str] = {}
    for row in result.graded:
        for exercise in row.report.exercises if row.report else []:
            titles.setdefault(exercise.id, exercise.title)
    return titles


def _environment() -> jinja2.Environment:
    # autoescape=True, not select_autoescape(): the template's name ends in .j2, which
    # select_autoescape's extension list would not match.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("grader.batch", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_summary(result: ClassResult, *, lang: Lang, generated_at: datetime) -> str:
    """The class summary as one self-contained HTML page, in ``lang``."""
    average = class_average(result)
    buckets = score_buckets(result)
    rates = check_pass_rates(result)
    text = {key: value.render(lang) for key, value in TEXTS.items()}
    graded = len(result.graded)
    when = generated_at.strftime("%Y-%m-%d %H:%M")
    if generated_at.tzinfo is not None:
        when += f" {generated_at.tzname()}"
    return (
        _environment()
        .get_template("summary.html.j2")
        .render(
            lang=lang,
            text=text,
            generated_iso=generated_at.isoformat(),
            generated=when,
            graded=graded,
            ungradable=len(result.rows) - graded,
            average=average,
            average_score=number(average.score, lang) if average else "",
            average_max=number(average.max_score, lang) if average else "",
            average_percent=percent_text(average.percent, lang, 1) if average else "",
            histogram=histogram(buckets),
            rate_chart=rate_chart(rates),
            pct=lambda share: percent_text(100 * share, lang),
            distribution_label=_distribution_label(buckets, text),
            rates_label=text["checks"]
            + ". "
            + "; ".join(f"{rate.label}: {percent_text(100 * rate.share, lang)}" for rate in rates),
            exercise_ids=result.exercise_ids,
            exercise_titles=exercise_titles(result),
            rows=table_rows(result, lang),
        )
    )


def _distribution_label(buckets: list[Bucket], text: dict[str, str]) -> str:
    parts = [f"{b.label} %: {b.count}" for b in buckets]
    return f"{text['distribution']} ({text['distribution_count']}). " + "; ".join(parts)
