"""Debian's Chromium driven by Playwright, for every browser test (Playwright's own browser
download is not used). Playwright's sync API holds an event loop while it runs, so fixtures
built on :func:`launch_chromium` are module-scoped, never session-scoped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.needs import need

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str | None:
    """Debian's Chromium, or the one named by BANSHI_CHROMIUM."""
    return (
        os.environ.get("BANSHI_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def launch_chromium(extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    """Yield one headless Chromium with ``extra_args``; skip (fail under CI=true) without it."""
    executable = chromium_path()
    need(executable, "Chromium", "apt-get install chromium (make test installs it as root)")
    assert executable is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=[*CHROMIUM_FLAGS, *extra_args]
        )
        try:
            yield browser
        finally:
            browser.close()


_POLICY_LISTENER = """
window.__policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__policyViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}`
  );
});
"""


class PolicyWatch:
    """The Content-Security-Policy violations a page reports: the ``securitypolicyviolation``
    events of its document and the console errors Chromium writes for every violation (those
    of documents the page has left too). Start it before the page loads anything."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(_POLICY_LISTENER)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        """Everything reported so far."""
        events = self.page.evaluate("window.__policyViolations || []")
        return [*self.console, *events]
