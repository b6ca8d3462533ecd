"""The class summary page: its computations, its self-containment and escaping, and a real
headless Chromium rendering it (screenshot and DOM)."""

from __future__ import annotations

import html
import os
import re
import struct
import subprocess
import zlib
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.batch.models import ClassResult, RowStatus, StudentRow
from grader.batch.summary import (
    bucket_index,
    check_pass_rates,
    class_average,
    render_summary,
    score_buckets,
)
from grader.report.models import Report, Status
from support.browser import LAUNCH_ARGS
from support.reports import sample_report

GENERATED_AT = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
EXERCISES = ["custom-bridge", "network-isolation"]
EVERY_CHECK = {
    "network-exists",
    "network-subnet",
    "container-attached",
    "container-detached-tty",
    "b-cannot-reach-a",
}


def report_passing(student_id: str, passed: set[str]) -> Report:
    """sample_report() with exactly the checks in ``passed`` passed (the others keep their
    sample status: failed, skipped or error) and the scores added up again."""
    report = sample_report(student_id).model_copy(deep=True)
    for exercise in report.exercises:
        for check in exercise.checks:
            if check.id in passed:
                check.status, check.score, check.hint = Status.PASSED, check.max_score, None
            elif check.status is Status.PASSED:
                check.status, check.score = Status.FAILED, 0.0
                check.hint = f"hint for {check.id} ({student_id})"
        exercise.score = sum(check.score for check in exercise.checks)
    report.score = sum(exercise.score for exercise in report.exercises)
    return report


def graded(student_id: str, report: Report, name: str = "") -> StudentRow:
    return StudentRow(
        student_id=student_id,
        name=name or student_id.title(),
        docker_host=f"tcp://{student_id}.lab:2376",
        status=RowStatus.GRADED,
        report=report,
    )


def ungradable(
    student_id: str, reason: str = "the engine did not answer within 10 s"
) -> StudentRow:
    return StudentRow(
        student_id=student_id,
        name=student_id.title(),
        docker_host=f"tcp://{student_id}.lab:2376",
        status=RowStatus.UNGRADABLE,
        reason=reason,
    )


def a_class() -> ClassResult:
    """bob 6/6 (100 %), alice the sample 2/6 (33 %), carol 3/6 (50 %), dave ungradable."""
    return ClassResult(
        exercise_ids=EXERCISES,
        rows=[
            graded("bob", report_passing("bob", EVERY_CHECK), name="Bob Martin"),
            graded("alice", sample_report("alice"), name="Alice Durand"),
            graded(
                "carol",
                report_passing("carol", {"network-exists", "network-subnet", "container-attached"}),
                name="Carol Nguyễn",
            ),
            ungradable("dave", reason="tcp://dave.lab:2376: connection refused"),
        ],
    )


def nobody_graded() -> ClassResult:
    return ClassResult(exercise_ids=EXERCISES, rows=[ungradable("dave"), ungradable("erin")])


# --- computations ------------------------------------------------------------------------------


def test_the_average_is_over_graded_students_only():
    average = class_average(a_class())
    assert average.students == 3
    assert average.score == pytest.approx((6 + 2 + 3) / 3)
    assert average.max_score == 6
    assert average.percent == pytest.approx((100 + 100 / 3 + 50) / 3)


def test_nobody_graded_has_no_average_empty_buckets_and_no_check():
    result = nobody_graded()
    assert class_average(result) is None
    assert [bucket.count for bucket in score_buckets(result)] == [0] * 10
    assert check_pass_rates(result) == []


def test_buckets_are_ten_tenths_with_100_in_the_last():
    buckets = score_buckets(a_class())
    assert [bucket.label for bucket in buckets] == [
        "0–10",
        "10–20",
        "20–30",
        "30–40",
        "40–50",
        "50–60",
        "60–70",
        "70–80",
        "80–90",
        "90–100",
    ]
    assert [bucket.count for bucket in buckets] == [0, 0, 0, 1, 0, 1, 0, 0, 0, 1]
    assert sum(bucket.count for bucket in buckets) == 3  # the ungradable student is not counted
    assert [bucket_index(p) for p in (0, 9.99, 10, 0.7 * 100, 89.9, 90, 100)] == [
        0,
        0,
        1,
        7,
        8,
        9,
        9,
    ]
    assert bucket_index(69.99999999999) == 7  # 70 % computed with a rounding error


def test_checks_come_sorted_by_pass_share_lowest_first_ties_in_course_order():
    rates = check_pass_rates(a_class())
    assert [(rate.label, rate.passed, rate.graded) for rate in rates] == [
        ("custom-bridge › container-detached-tty", 1, 3),
        ("network-isolation › b-cannot-reach-a", 1, 3),
        ("custom-bridge › network-subnet", 2, 3),
        ("custom-bridge › network-exists", 3, 3),
        ("custom-bridge › container-attached", 3, 3),
    ]
    assert [round(rate.share, 3) for rate in rates] == [0.333, 0.333, 0.667, 1.0, 1.0]
    assert rates[0].title == "title of container-detached-tty"


def test_hints_come_from_a_report_where_the_check_did_not_pass():
    result = a_class()
    result.rows.insert(0, graded("zoe", report_passing("zoe", EVERY_CHECK - {"network-exists"})))
    hints = {rate.check_id: rate.hint for rate in check_pass_rates(result)}
    # bob (first graded before zoe was added) passed network-subnet; alice did not
    assert hints["network-subnet"] == "hint for network-subnet"
    # everyone but zoe passed network-exists: her report gives the hint
    assert hints["network-exists"] == "hint for network-exists (zoe)"
    assert hints["container-attached"] is None  # everyone passed it: nothing to show
    assert hints["container-detached-tty"] == "hint for container-detached-tty"


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_counts_average_charts_hints_and_every_student():
    page = render_summary(a_class(), lang="en", generated_at=GENERATED_AT)
    assert "<title>Class summary" in page and "2026-11-28 09:30 UTC" in page
    assert 'id="graded-count">3<' in page and 'id="ungradable-count">1<' in page
    assert "3.7 / 6 · 61.1%" in page
    assert 'id="score-distribution" role="img" aria-label="' in page
    assert 'id="check-pass-rates" role="img" aria-label="' in page
    assert (
        page.index("container-detached-tty</text>")
        < page.index("network-subnet</text>")
        < page.index("container-attached</text>")
    )
    assert "hint for network-subnet" in page and "hint for network-exists" not in page
    for student in ("Bob Martin", "Alice Durand", "Carol Nguyễn", "dave"):
        assert student in page
    assert "tcp://dave.lab:2376: connection refused" in page  # the reason, as text
    assert "ungradable" in page


def test_the_page_in_french():
    page = render_summary(a_class(), lang="fr", generated_at=GENERATED_AT)
    assert '<html lang="fr">' in page
    for expected in (
        "Synthèse de la classe",
        "Répartition des notes",
        "3,7 / 6 · 61,1\u202f%",
        "impossible à noter",
        "Conseil :",
    ):
        assert expected in page


def test_with_nobody_graded_the_page_renders_and_says_so():
    for lang, expected in (
        ("en", "No student could be graded"),
        ("fr", "Aucun étudiant n'a pu être noté"),
    ):
        page = render_summary(nobody_graded(), lang=lang, generated_at=GENERATED_AT)
        assert expected in html.unescape(page)  # the apostrophe is escaped, as any text
        assert 'id="graded-count">0<' in page and 'id="ungradable-count">2<' in page
        assert "score-distribution" not in page and "check-pass-rates" not in page
        assert "the engine did not answer within 10 s" in page


def test_the_page_loads_nothing_from_outside():
    page = render_summary(a_class(), lang="en", generated_at=GENERATED_AT)
    # the reason mentions tcp://, as plain text: fine; nothing is to be fetched
    assert not re.search(r"""\b(?:src|href|xlink:href|action|poster)\s*=""", page, re.I)
    assert not re.search(r"<(?:link|script|img|iframe|object|embed)\b", page, re.I)
    assert "url(" not in page and "@import" not in page
    assert "http://" not in page and "https://" not in page


def test_student_provided_text_is_escaped():
    report = sample_report("mallory").model_copy(deep=True)
    report.exercises[0].checks[1].hint = 'remove the container "<img src=x onerror=alert(2)>"'
    result = ClassResult(
        exercise_ids=EXERCISES,
        rows=[
            graded("mallory", report, name="<script>alert(1)</script>"),
            ungradable("<b>trudy</b>", reason="<iframe src=https://evil.example/>"),
        ],
    )
    page = render_summary(result, lang="en", generated_at=GENERATED_AT)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;b&gt;trudy&lt;/b&gt;" in page
    assert "&lt;iframe src=https://evil.example/&gt;" in page  # a plain text mention
    assert not re.search(r"<(?:script|img|iframe|b)\b", page)


# --- a real browser ----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if "CI" in os.environ:  # in CI it must run
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this")
    return CHROMIUM


def run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        chromium,
        "--headless",
        *LAUNCH_ARGS,
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command} failed:\n{done.stderr[-3000:]}"
    return done


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of pixels of an 8-bit RGB or RGBA PNG (no interlacing)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, position = {}, 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.setdefault(kind, []).append(data[position + 8 : position + 8 + length])
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(
        ">IIBBBBB", chunks[b"IHDR"][0]
    )
    assert depth == 8 and colour_type in (2, 6) and interlace == 0
    pixel = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = 1 + width * pixel
    assert len(raw) == height * stride
    rows, previous = [], bytes(width * pixel)
    for y in range(height):
        kind, line = raw[y * stride], raw[y * stride + 1 : (y + 1) * stride]
        previous = unfilter(kind, line, previous, pixel)
        rows.append(
            previous
            if pixel == 3
            else b"".join(previous[i : i + 3] for i in range(0, len(previous), 4))
        )
    return width, height, rows


def unfilter(kind: int, line: bytes, previous: bytes, pixel: int) -> bytes:
    """Undoes the PNG filter of one line (https://www.w3.org/TR/png/#9Filters)."""
    if kind == 0:
        return line
    if kind == 2:  # up
        return bytes((value + up) & 255 for value, up in zip(line, previous))
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - pixel] if i >= pixel else 0
        if kind == 1:  # sub
            out[i] = (out[i] + left) & 255
        elif kind == 3:  # average
            out[i] = (out[i] + (left + previous[i]) // 2) & 255
        else:  # paeth
            up, up_left = previous[i], previous[i - pixel] if i >= pixel else 0
            guess = left + up - up_left
            distances = (abs(guess - left), abs(guess - up), abs(guess - up_left))
            out[i] = (out[i] + (left, up, up_left)[distances.index(min(distances))]) & 255
    return bytes(out)


class SvgRects(HTMLParser):
    """Counts the <rect> elements inside each <svg> that has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: dict[str, int] = {}
        self.attributes: dict[str, dict[str, str]] = {}
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "svg" and dict(attrs).get("id"):
            self._inside = dict(attrs)["id"]
            self.rects[self._inside] = 0
            self.attributes[self._inside] = dict(attrs)
        elif tag == "rect" and self._inside:
            self.rects[self._inside] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "svg":
            self._inside = None


def test_chromium_renders_the_page(chromium, tmp_path):
    result = a_class()
    page = tmp_path / "summary.html"
    page.write_text(render_summary(result, lang="en", generated_at=GENERATED_AT), encoding="utf-8")

    dom = run_chromium(chromium, tmp_path, "--dump-dom", page.as_uri()).stdout
    svgs = SvgRects()
    svgs.feed(dom)
    assert svgs.rects.get("score-distribution") == 10  # one bar per tenth
    assert svgs.rects.get("check-pass-rates") == len(check_pass_rates(result)) == 5
    for chart in ("score-distribution", "check-pass-rates"):
        assert svgs.attributes[chart]["role"] == "img" and svgs.attributes[chart]["aria-label"]
    assert "Alice Durand" in dom and "hint for network-subnet" in dom

    screenshot = tmp_path / "summary.png"
    run_chromium(
        chromium, tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2000", page.as_uri()
    )
    print(f"\nscreenshot of the class summary: {screenshot}")
    data = screenshot.read_bytes()
    width, height, rows = decode_png(data)
    assert (width, height) == (1280, 2000)
    assert len(data) > 20_000, "a blank 1280×2000 page compresses to a few KB"
    colours = {row[i : i + 3] for row in rows[::2] for i in range(0, len(row), 6)}
    assert len(colours) > 50, f"only {len(colours)} colours: the page looks blank"
    # the charts' bar colours are on screen: the histogram, a failing and a passing check
    for hex_colour in ("1f5aa6", "b42318", "8a5300", "1d6b36"):
        assert bytes.fromhex(hex_colour) in colours, f"#{hex_colour} is not on the screenshot"
