"""Debian's Chromium driven by Playwright, for every browser test (Playwright's own browser
download is not used). Playwright's sync API holds an event loop while it runs, so fixtures
built on :func:`launch_chromium` are module-scoped, never session-scoped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence

from playwright.sync_api import Browser, sync_playwright

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
