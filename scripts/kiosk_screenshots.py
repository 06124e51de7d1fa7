"""Screenshots of the kiosk page for the README, from a running system (``make run``).

    .venv/bin/python scripts/kiosk_screenshots.py http://127.0.0.1:8000 [--touch-only URL]

Writes ``docs/screenshots/kiosk-*.png`` at CSS-pixel scale: the kiosk in portrait and in
landscape (大字), a phone and a desktop, each showing a tuition bill and its confirm buttons
(the sandbox's student 7320291068); with ``--touch-only`` (a gateway without
``BANSHI_VOSK_MODEL_PATH``), the touch-and-typing greeting too. Needs Chromium.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chromium import CHROMIUM_FLAGS, chromium_path  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
BILL = {
    "kiosk-portrait": ((1080, 1920), False),
    "kiosk-landscape": ((1920, 1080), True),
    "kiosk-phone": ((390, 844), False),
    "kiosk-desktop": ((1280, 800), False),
}


def say(page: Page, text: str) -> None:
    page.get_by_label("输入您要说的话").fill(text)
    page.get_by_role("button", name="发送").click()


def the_bill(page: Page, big: bool) -> None:
    expect(page.locator("#log .msg.bot").first).to_contain_text("办事小助手")
    if big:
        page.get_by_role("button", name="大字").click()
    say(page, "我要给孙子交学费")
    expect(page.locator("#log .msg.bot").last).to_contain_text("学号", timeout=30_000)
    say(page, "7320291068")
    expect(page.locator("#log .msg.bot").last).to_contain_text("缴费吗", timeout=30_000)
    page.wait_for_function("() => window.kioskStats.audioStarts >= 4", timeout=30_000)
    page.wait_for_timeout(500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gateway", help="base URL of a running gateway with the whole system")
    parser.add_argument("--touch-only", help="base URL of a gateway without a speech model")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[*CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required"],
        )
        for name, ((width, height), big) in BILL.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{args.gateway}/kiosk")
            the_bill(page, big)
            page.screenshot(path=str(OUT / f"{name}.png"), scale="css")
            page.close()
        if args.touch_only:
            page = browser.new_page(viewport={"width": 1080, "height": 1920})
            page.goto(f"{args.touch_only}/kiosk")
            expect(page.locator("#log .msg.bot").first).to_contain_text("打字")
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / "kiosk-touch-only.png"), scale="css")
            page.close()
        browser.close()
    for path in sorted(OUT.glob("kiosk-*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
