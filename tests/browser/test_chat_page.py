"""The /chat page in real Chromium: the first slice by typing and tapping, and its accessibility."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chromium import PolicyWatch
from tests.conftest import RunningSystem

pytestmark = pytest.mark.browser


def send(page: Page, text: str) -> None:
    page.get_by_label("输入您要说的话").fill(text)
    page.get_by_role("button", name="发送").click()


def bot_says(page: Page, pattern: str) -> None:
    expect(page.locator("#log .msg.bot").filter(has_text=re.compile(pattern)).last).to_be_visible(
        timeout=30_000
    )


def test_slice_in_the_chat_page(system: RunningSystem, browser: Browser) -> None:
    system.reset_platform()
    with system.platform() as platform:
        bills = platform.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).json()
    bill = next(b for b in bills if b["status"] == "unpaid")
    total = Decimal(str(bill["total"]))

    page = browser.new_page()
    policy = PolicyWatch(page)
    page.goto(f"{system.gateway}/chat")
    expect(page).to_have_title(re.compile("办事小助手"))
    send(page, "你好")
    bot_says(page, "交学费")
    send(page, "我要给孙子交学费")
    bot_says(page, "学号")
    send(page, DEMO_STUDENT_ID)
    bot_says(page, re.escape(f"{total:.2f}"))
    expect(page.locator("#log")).to_contain_text(bill["school"])
    page.get_by_role("button", name="对，缴费").click()  # the quick reply mirrors the question
    bot_says(page, r"缴费码是 \w+")
    expect(page.locator("#log .msg.citizen").last).to_have_text(re.compile("对，缴费"))
    assert policy.violations() == []  # the Content-Security-Policy lets the page work
    page.close()


def test_chat_page_accessibility(system: RunningSystem, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{system.gateway}/chat")
    send(page, "你好")
    bot_says(page, "交学费")
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert serious == [], [v["id"] for v in serious]

    # K1: body text ≥ 18 px; the 大字 control enlarges it to ≥ 30 px.
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.msg')).fontSize)")
    assert size >= 18
    page.get_by_role("button", name="大字").click()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.msg')).fontSize)")
    assert size >= 30
    # K3: every control at least 60 × 60 CSS px.
    small = page.evaluate(
        """[...document.querySelectorAll('button, input')].map(e => {
             const r = e.getBoundingClientRect();
             return {name: e.textContent || e.id, w: r.width, h: r.height};
           }).filter(r => r.w < 60 || r.h < 60)"""
    )
    assert small == []
    # K8: roles of the log, status and alert regions.
    for selector, role in (("#log", "log"), ("#status", "status"), ("#alert", "alert")):
        assert page.get_attribute(selector, "role") == role
    page.close()


def test_chat_page_reflows_at_320_px_and_shows_errors(
    system: RunningSystem, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{system.gateway}/chat")
    send(page, "你好")
    bot_says(page, "交学费")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    # An error from the gateway is written in the alert region, in Chinese.
    page.evaluate("document.getElementById('text').removeAttribute('maxlength')")
    send(page, "长" * 600)
    expect(page.get_by_role("alert")).to_contain_text("最多")
    page.close()
    with httpx.Client(base_url=system.gateway) as client:
        assert client.get("/healthz").status_code == 200
