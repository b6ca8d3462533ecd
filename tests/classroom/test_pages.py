"""The board's HTML shells (grader.classroom.pages): well-formed, in both languages, their UI
strings as JSON data, nothing the CSP would block (no inline script or style, no external
resource), and every value from outside escaped."""

from __future__ import annotations

import json
import re
import string
from html.parser import HTMLParser

import pytest

from grader.classroom import pages

VOID = {"meta", "link", "input", "br", "hr", "img", "wbr", "source", "area", "base", "col"}
HOSTILE = "<img src=x onerror=alert(1)>\"'&"


class _Page(HTMLParser):
    """The elements of a page, and the first nesting mistake."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self.problems: list[str] = []
        self.doctype = None
        self.scripts: dict[str, str] = {}  # id -> content of data scripts
        self._in_script = None
        self.text: list[str] = []

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "script":
            self._in_script = attributes.get("id", "")
            self.scripts.setdefault(self._in_script, "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.problems.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"</{tag}> closes a void element")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> while {self.stack[-1:]} is open")
        else:
            self.stack.pop()
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[self._in_script] += data
        else:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert page.doctype and page.doctype.lower() == "doctype html"
    assert not page.problems, page.problems
    assert not page.stack, f"never closed: {page.stack}"
    return page


def rendered(lang: str) -> dict[str, str]:
    return {
        "board": pages.render_board(lang),
        "student": pages.render_student(lang, "ana", "Ana"),
        "login": pages.render_login(lang),
        "login with an error": pages.render_login(lang, "Wrong token."),
    }


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pages_are_well_formed_and_carry_their_strings(lang):
    for name, html in rendered(lang).items():
        page = parse(html)
        html_tag = next(attrs for tag, attrs in page.elements if tag == "html")
        assert html_tag["lang"] == lang, name
        strings = next(attrs for tag, attrs in page.elements if attrs.get("id") == "strings")
        assert strings["type"] == "application/json", name
        assert json.loads(page.scripts["strings"]) == pages.STRINGS[lang], name
        assert any(
            tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in page.elements
        )
        assert any(
            tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in page.elements
        )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_nothing_the_csp_would_block(lang):
    for name, html in rendered(lang).items():
        page = parse(html)
        for tag, attrs in page.elements:
            assert tag != "style", name
            assert "style" not in attrs, (name, tag, attrs)
            assert not [a for a in attrs if a.startswith("on")], (name, tag, attrs)
            if tag == "script":
                # code only from /static; inline only as data
                if "src" in attrs:
                    assert attrs["src"].startswith("/static/"), (name, attrs)
                    assert page.scripts.get(attrs.get("id", ""), "").strip() == ""
                else:
                    assert attrs.get("type") == "application/json", (name, attrs)
            for attribute in ("src", "href", "action"):
                value = attrs.get(attribute)
                if value == "data:," and tag == "link":
                    continue  # no favicon: nothing to fetch (img-src allows data:)
                if value is not None:
                    assert value.startswith("/") and not value.startswith("//"), (name, value)
                    assert not value.lower().startswith("javascript:")
        assert "javascript:" not in html.lower()


def test_each_page_loads_its_script_and_the_stylesheet():
    def sources(html):
        return [
            attrs.get("src") or attrs.get("href")
            for tag, attrs in parse(html).elements
            if tag in ("script", "link") and attrs.get("rel") != "icon"
            if attrs.get("src") or attrs.get("href")
        ]

    assert sources(pages.render_board("en")) == [
        "/static/board.css",
        "/static/common.js",
        "/static/board.js",
    ]
    assert sources(pages.render_student("en", "ana", "Ana")) == [
        "/static/board.css",
        "/static/common.js",
        "/static/student.js",
    ]
    assert sources(pages.render_login("en")) == ["/static/board.css"]
    for name in ("board.css", "common.js", "board.js", "student.js"):
        assert (pages.STATIC_DIR / name).is_file(), name


def test_the_login_form_posts_the_token_in_its_body():
    page = parse(pages.render_login("fr", None))
    form = next(attrs for tag, attrs in page.elements if tag == "form")
    assert form["method"] == "post" and form["action"] == "/login"
    field = next(attrs for tag, attrs in page.elements if tag == "input")
    assert field["name"] == "token" and field["type"] == "password"
    assert "Connexion de l'enseignant" in "".join(page.text)
    assert not any(attrs.get("id") == "error" for _, attrs in page.elements)


def test_outside_values_are_escaped():
    html = pages.render_student("en", HOSTILE, HOSTILE)
    page = parse(html)
    assert "<img" not in html
    assert not any(tag == "img" for tag, _ in page.elements)
    heading = next(attrs for tag, attrs in page.elements if attrs.get("id") == "student-name")
    assert heading["data-student-id"] == HOSTILE
    assert HOSTILE in "".join(page.text)

    html = pages.render_login("en", HOSTILE)
    assert "<img" not in html and HOSTILE in "".join(parse(html).text)


def test_strings_json_cannot_end_its_script():
    # tojson escapes <, >, & and ': a string holding </script> stays inside the JSON
    html = pages.render_board("en")
    body = html.split('id="strings">', 1)[1].split("</script>", 1)[0]
    assert json.loads(body) == pages.STRINGS["en"]
    assert "<" not in body


def test_both_languages_have_the_same_strings_and_placeholders():
    en, fr = pages.STRINGS["en"], pages.STRINGS["fr"]
    assert en.keys() == fr.keys()

    def names(text):
        return {n for _, n, _, _ in string.Formatter().parse(text) if n}

    for key in en:
        assert names(en[key]) == names(fr[key]), key
        assert en[key].strip() and fr[key].strip(), key


def test_every_string_the_scripts_ask_for_exists():
    asked = set()
    for script in ("common.js", "board.js", "student.js"):
        source = (pages.STATIC_DIR / script).read_text(encoding="utf-8")
        asked |= set(re.findall(r'\bt\(\s*"(\w+)"', source))
        asked |= {f"status_{s}" for s in ("passed", "failed", "skipped", "error", "missing")}
    assert asked, "no t(...) call found"
    assert asked <= pages.STRINGS["en"].keys(), asked - pages.STRINGS["en"].keys()


def test_the_scripts_never_write_html():
    for script in ("common.js", "board.js", "student.js"):
        source = (pages.STATIC_DIR / script).read_text(encoding="utf-8")
        source = re.sub(r"//[^\n]*", "", source)  # the comments may name what is never done
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script, sink)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        pages.render_board("de")
