"""The staff console in real Chromium, next to a citizen in /chat (a second browser context):
a person one step away and back again, live; and the console's accessibility (axe-core)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.chromium import PolicyWatch
from tests.conftest import RunningSystem
from tests.handoff.kit import Account, Console, add_staff, new_district

pytestmark = pytest.mark.browser


def send(page: Page, text: str) -> None:
    page.get_by_label("输入您要说的话").fill(text)
    page.get_by_role("button", name="发送").click()


def log_in(page: Page, system: RunningSystem, account: Account) -> None:
    page.goto(f"{system.gateway}/console")
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("密码").fill(account.password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#live-status")).to_contain_text("已连接", timeout=10_000)


def serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_citizen_reaches_a_person_and_comes_back_to_the_bot(
    system: RunningSystem, browser: Browser
) -> None:
    # A web chat citizen who has not verified who they are has no district: the supervisors'.
    # Staff are on duty elsewhere, so the citizen is queued rather than offered a call-back.
    account, elsewhere = add_staff(
        system, ("supervisor", new_district()), ("staff", new_district())
    )
    present = Console(system.gateway, elsewhere)
    staff_context = browser.new_context()
    citizen_context = browser.new_context()
    try:
        console = staff_context.new_page()
        console_policy = PolicyWatch(console)
        log_in(console, system, account)

        chat = citizen_context.new_page()
        chat_policy = PolicyWatch(chat)
        chat.goto(f"{system.gateway}/chat")
        send(chat, "你好")
        expect(chat.locator("#log .msg.bot").last).to_contain_text("办什么", timeout=30_000)
        chat.get_by_role("button", name="找人工").click()
        expect(chat.locator("#log .msg.bot").last).to_contain_text(
            "正在为您转接工作人员", timeout=30_000
        )
        expect(chat.get_by_role("status")).to_contain_text("正在为您转接工作人员")
        kept = "JSON.parse(sessionStorage.getItem('banshi.conversation')).id"
        conversation_id = chat.evaluate(kept)

        # The staff member sees it arrive live (no reload), with a written notice.
        item = console.locator(f'#waiting li[data-conversation-id="{conversation_id}"] button')
        expect(item).to_be_visible(timeout=5_000)
        expect(console.locator("#notice")).to_contain_text("新的转人工请求")
        item.click()
        expect(console.locator("#transcript")).to_contain_text("转人工")
        console.get_by_role("button", name="接入", exact=True).click()
        expect(console.get_by_label("回复市民")).to_be_visible()
        assert serious(console) == []  # the console with a conversation open
        console.get_by_label("回复市民").fill("您好，我是社区工作人员，请问要办什么？")
        console.get_by_role("button", name="发送").click()

        # The citizen sees the reply; what they say next appears in the console live.
        expect(chat.locator("#log .msg.staff").last).to_have_text(
            re.compile("您好，我是社区工作人员"), timeout=5_000
        )
        expect(chat.get_by_role("status")).to_contain_text("工作人员正在为您服务")
        send(chat, "我想问孙子的学费怎么交")
        expect(console.locator("#transcript")).to_contain_text("我想问孙子的学费怎么交")

        # Back to the bot with a summary: the bot greets again and answers the next message.
        console.get_by_label("办理小结（小助手会告诉市民）").fill("已告诉您交学费的步骤")
        console.get_by_role("button", name="交还小助手").click()
        expect(chat.locator("#log .msg.bot").filter(has_text="已告诉您交学费的步骤")).to_be_visible(
            timeout=10_000
        )
        expect(chat.locator("#log .msg.bot").last).to_contain_text("办什么")
        send(chat, "我要给孙子交学费")
        expect(chat.locator("#log .msg.bot").last).to_contain_text("学号", timeout=30_000)
        expect(console.locator("#detail")).to_contain_text("交还小助手")
        # The Content-Security-Policy let both pages do all of it.
        assert console_policy.violations() == [] and chat_policy.violations() == []
    finally:
        staff_context.close()
        citizen_context.close()
        present.close()


def test_console_accessibility(system: RunningSystem, browser: Browser) -> None:
    district = new_district()
    staff_account, supervisor_account = add_staff(
        system, ("staff", district), ("supervisor", district)
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{system.gateway}/console")
        expect(page.get_by_role("button", name="登录")).to_be_visible()
        assert serious(page) == []
        log_in(page, system, staff_account)
        assert serious(page) == []
        # Keyboard: the queue's first control is reachable and focus is visible.
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("button", name="登录")).to_be_visible()

        log_in(page, system, supervisor_account)
        page.get_by_role("button", name="看板").click()
        expect(page.locator("#chart-hour svg")).to_be_visible()
        expect(page.locator("#dashboard-summary")).to_contain_text("次转人工")
        assert serious(page) == []
        page.get_by_role("button", name="审计记录").click()
        expect(page.locator("#audit tr").first).to_be_visible()
        assert serious(page) == []
        page.get_by_role("button", name="退出登录").click()
    finally:
        context.close()
