"""Screenshots of the web chat page for README "Screens": ``docs/screenshots/chat-*.png``.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000   # a running `make run`

Uses the system Chromium (as the browser tests do) and the demo student of the platform
sandbox; Chinese text needs a CJK font (Debian: fonts-wqy-microhei or fonts-noto-cjk).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from platform_sandbox.seed import DEMO_STUDENT_ID  # noqa: E402
from tests.chromium import CHROMIUM_FLAGS, chromium_path  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SHOTS = [
    # (file, viewport, 大字, how far the conversation goes)
    ("chat-phone.png", {"width": 390, "height": 844}, False, "greeting"),
    ("chat-phone-big.png", {"width": 390, "height": 844}, True, "bill"),
    ("chat-desktop.png", {"width": 1280, "height": 800}, False, "bill"),
]


def to_the_bill(page: Page) -> None:
    """交学费, the demo student number: the amount and "现在缴费吗？" with its buttons."""
    page.get_by_role("button", name="交学费").click()
    expect(page.locator("#log .msg.bot").last).to_contain_text("学号", timeout=30_000)
    page.get_by_label("输入您要说的话").fill(DEMO_STUDENT_ID)
    page.get_by_role("button", name="发送").click()
    expect(page.get_by_role("button", name="对，缴费")).to_be_visible(timeout=30_000)
    page.evaluate("document.activeElement.blur()")  # no focus ring in the picture


def main(gateway: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        for name, viewport, big, state in SHOTS:
            page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
            page.goto(f"{gateway.rstrip('/')}/chat")
            if big:
                page.get_by_role("button", name="大字").click()
                expect(page.locator("html")).to_have_class(re.compile(r"\bbig\b"))
            if state == "bill":
                to_the_bill(page)
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / name), scale="css")
            page.context.close()
            print(OUT / name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
