"""Real headless Chromium for the board's tests, through Playwright: Debian's /usr/bin/chromium
(never a downloaded browser). ``chromium`` is one browser per session; ``browser_page`` a fresh
context at 1366×768 whose console errors, page errors, CSP violations and dialogs are kept, so
that a test can say none happened (``watched.assert_clean()``).

tests/classroom/conftest.py makes them the fixtures of every module there.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}

# Runs before the page's own scripts (Playwright injects it past the CSP): keeps every CSP
# violation the page meets, which the console may not say in full.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});
"""


@dataclass
class WatchedPage:
    page: object  # playwright.sync_api.Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        try:
            return list(self.page.evaluate("window.__cspViolations || []"))
        except Exception:  # the page is gone or navigating: nothing to read
            return []

    def assert_clean(self) -> None:
        problems = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "dialogs": self.dialogs,
            "CSP violations": self.csp_violations(),
        }
        assert not any(problems.values()), problems


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("the board's browser tests need Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=LAUNCH_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium) -> WatchedPage:
    """A new page at 1366×768, times shown in UTC (the test data's zone)."""
    context = chromium.new_context(viewport=VIEWPORT, timezone_id="UTC", locale="en-GB")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    watched = WatchedPage(page)

    def on_console(message):
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            watched.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def on_dialog(dialog):
        watched.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    yield watched
    context.close()
