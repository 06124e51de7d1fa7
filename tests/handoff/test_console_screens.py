"""The staff console in real Chromium against a gateway served from this process (no bot
needed): the queue rows (unique places in order, what each citizen came about), the hand-back
summary, the keyboard and the safeguards of a busy day, the supervisors' tabs and audit log,
the live feed applied without reloading the lists, and axe-core at every size.

Set ``BANSHI_SCREENSHOTS`` to a folder to keep the screenshots ``test_screens`` takes (the
README's are made with ``BANSHI_SCREENSHOTS=docs/screenshots``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from handoff.models import Status
from tests.chromium import PolicyWatch
from tests.handoff.conftest import ServedGateway
from tests.handoff.kit import Account, Console, new_district

pytestmark = pytest.mark.browser

PHONE = "13812345678"
DESKTOP = {"width": 1440, "height": 900}
LAPTOP = {"width": 1280, "height": 720}
ZOOM_200 = {"width": 640, "height": 360}  # 1280×720 at 200 %: deviceScaleFactor 2


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP)
    try:
        yield made
    finally:
        made.close()


def log_in(page: Page, gateway: ServedGateway, account: Account) -> None:
    page.goto(f"{gateway.url}/console")
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("密码").fill(account.password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#live-status")).to_contain_text("已连接", timeout=10_000)


def violations(page: Page) -> list[str]:
    """Every axe-core violation, whatever its impact."""
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def waiting_citizen(
    gateway: ServedGateway, district: str, *, said: str = "", **body: Any
) -> tuple[str, str, str]:
    """A citizen queued for a person (and what they said while waiting): conversation id,
    token and handoff id."""
    conversation, token = gateway.conversation()
    answer = gateway.request(
        conversation, citizen={"district": district, **body.pop("citizen", {})}, **body
    )
    if said:
        gateway.say(conversation, token, said)
    return conversation, token, str(answer["handoff_id"])


def places(page: Page) -> list[str]:
    return page.locator("#waiting .badge.place").all_inner_texts()


def row(page: Page, conversation: str) -> Any:
    return page.locator(f'#waiting li[data-conversation-id="{conversation}"] button')


def status_of(gateway: ServedGateway, handoff_id: str) -> Status:
    handoff = gateway.run(gateway.runtime.handoffs.get(handoff_id))
    assert handoff is not None
    return handoff.status


# ------------------------------------------------------------------ item 12: the queue


def test_queue_places_are_unique_in_order_and_rows_say_why(
    served_gateway: ServedGateway, context: BrowserContext
) -> None:
    gateway = served_gateway
    district, other = new_district(), new_district()
    boss = gateway.staff("supervisor", district)
    gateway.staff("staff", other)
    conversation, _token, _id = waiting_citizen(
        gateway,
        district,
        said=f"学费交不了，我的手机号是{PHONE}",
        collected={"service": "education_fee"},
    )
    for place, age in ((other, 70), ("", 70), (district, 70), (other, 72)):
        waiting_citizen(gateway, place, citizen={"age": age})
    page = context.new_page()
    policy = PolicyWatch(page)
    log_in(page, gateway, boss)
    expect(row(page, conversation)).to_be_visible()
    shown = places(page)
    assert shown == [f"第{n}位" for n in range(1, len(shown) + 1)] and len(shown) >= 5
    about = row(page, conversation)
    expect(about).to_contain_text("在办：教育缴费")
    expect(about).to_contain_text("最后说：“学费交不了，我的手机号是138")
    assert PHONE not in page.locator("#waiting").inner_text()

    # A citizen of 85 arrives live: first in line, and the others move down one place.
    elderly, _token, _id = waiting_citizen(gateway, other, citizen={"age": 85})
    expect(page.locator("#waiting li").first).to_have_attribute(
        "data-conversation-id", elderly, timeout=5_000
    )
    shown = places(page)
    assert shown == [f"第{n}位" for n in range(1, len(shown) + 1)]
    assert violations(page) == []
    assert policy.violations() == []


# ------------------------------------------------------------------ item 13: the summary


def test_hand_back_summary_field_has_a_visible_counter(
    served_gateway: ServedGateway, context: BrowserContext
) -> None:
    gateway = served_gateway
    district = new_district()
    member = gateway.staff("staff", district)
    page = context.new_page()
    log_in(page, gateway, member)
    conversation, _token, _id = waiting_citizen(gateway, district, said="学费的事")
    row(page, conversation).click()
    page.get_by_role("button", name="接入", exact=True).click()
    summary = page.get_by_label("办理小结（小助手会告诉市民）")
    expect(summary).to_have_attribute("maxlength", "200")
    counter = page.locator("#release-count")
    expect(counter).to_be_visible()
    expect(counter).to_contain_text("还可以写200字")
    text = "已帮您查到学费一共2550元。请您明天带身份证到学校财务处再确认一下金额。"
    summary.fill(text)
    expect(counter).to_contain_text(f"还可以写{200 - len(text)}字")
    assert summary.evaluate("(e) => e.getAttribute('aria-describedby')") == "release-count"
    page.get_by_role("button", name="交还小助手").click()
    expect(page.locator("#live-status")).to_contain_text("已交还小助手")
    expect(counter).to_contain_text("还可以写200字")


# ------------------------------------------------------------------ item 14: a busy day


def test_enter_sends_and_ending_asks_first_away_from_hand_back(
    served_gateway: ServedGateway, context: BrowserContext
) -> None:
    gateway = served_gateway
    district = new_district()
    member = gateway.staff("staff", district)
    page = context.new_page()
    log_in(page, gateway, member)
    # Focus goes to the page's main region after login.
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"

    conversation, _token, handoff_id = waiting_citizen(gateway, district, said="你好")
    row(page, conversation).click()
    page.get_by_role("button", name="接入", exact=True).click()
    reply = page.get_by_label("回复市民")
    reply.fill("您好，请问要办什么？")
    reply.press("Enter")
    expect(page.locator("#transcript .line.staff")).to_contain_text("您好，请问要办什么？")
    expect(reply).to_have_value("")
    reply.type("第一行")
    reply.press("Shift+Enter")
    reply.type("第二行")
    expect(reply).to_have_value("第一行\n第二行")  # Shift+Enter: a new line, not sent
    reply.press("Control+Enter")
    expect(page.locator("#transcript .line.staff").last).to_contain_text("第二行")

    # 结束 is far from 交还小助手, below other controls, and asks before it ends anything.
    release = page.get_by_role("button", name="交还小助手").bounding_box()
    close = page.locator("#close-ask").bounding_box()
    assert release is not None and close is not None
    assert close["y"] - (release["y"] + release["height"]) >= 150
    order = page.evaluate(
        "[...document.querySelectorAll('#serving button')].map((b) => b.id || b.textContent)"
    )
    between = order[order.index("交还小助手") + 1 : order.index("close-ask")]
    assert "转交" in between
    page.locator("#close-ask").click()
    expect(page.locator("#close-confirm")).to_be_visible()
    expect(page.get_by_role("button", name="不结束，继续服务")).to_be_focused()
    assert status_of(gateway, handoff_id) is Status.ACTIVE
    assert violations(page) == []
    page.get_by_role("button", name="不结束，继续服务").click()
    expect(page.locator("#close-confirm")).to_be_hidden()
    assert status_of(gateway, handoff_id) is Status.ACTIVE
    page.locator("#close-ask").click()
    page.get_by_role("button", name="确定结束").click()
    expect(page.locator("#facts")).to_contain_text("已结束")
    assert status_of(gateway, handoff_id) is Status.CLOSED


def test_new_request_notice_clears_once_seen(
    served_gateway: ServedGateway, context: BrowserContext
) -> None:
    gateway = served_gateway
    district = new_district()
    member = gateway.staff("staff", district)
    colleague = gateway.staff("staff", district)
    page = context.new_page()
    log_in(page, gateway, member)
    notice = page.locator("#notice")

    # Opened: seen.
    conversation, _token, _id = waiting_citizen(gateway, district)
    expect(notice).to_be_visible(timeout=5_000)
    expect(notice).to_contain_text("新的转人工请求")
    row(page, conversation).click()
    expect(notice).to_be_hidden()

    # Taken by a colleague: nothing left to see.
    _conversation, _token, handoff_id = waiting_citizen(gateway, district)
    expect(notice).to_be_visible(timeout=5_000)
    with gateway_client(gateway, colleague) as client:
        assert client.post(f"/api/handoffs/{handoff_id}/claim").status_code == 200
    expect(notice).to_be_hidden(timeout=5_000)

    # 知道了.
    waiting_citizen(gateway, district)
    expect(notice).to_be_visible(timeout=5_000)
    page.get_by_role("button", name="知道了").click()
    expect(notice).to_be_hidden()
    assert page.title() == "办事 · 工作台"


def gateway_client(gateway: ServedGateway, account: Account) -> Console:
    """A colleague's console client (cookie and CSRF, as the page calls the API)."""
    return Console(gateway.url, account)


def test_supervisor_tabs_watch_panel_live_list_and_audit_log(
    served_gateway: ServedGateway, context: BrowserContext
) -> None:
    gateway = served_gateway
    district = new_district()
    boss = gateway.staff("supervisor", district)
    conversation, _token, _id = waiting_citizen(gateway, district, said=f"电话{PHONE}打不通")
    # More than a page of audit entries by one person.
    with gateway_client(gateway, gateway.staff("staff", district)) as colleague:
        for _ in range(110):
            colleague.post(f"/api/handoffs/{_id}/notes", {"text": "已核对"})
        noter = colleague.account.username
    page = context.new_page()
    policy = PolicyWatch(page)
    log_in(page, gateway, boss)

    # The live list says what each conversation is; watching closes on other tabs.
    page.get_by_role("button", name="实时会话").click()
    live = page.locator(f'#live li[data-conversation-id="{conversation}"] button')
    expect(live).to_contain_text("等待人工")
    expect(live).to_contain_text("市民最后说：“电话138")
    assert PHONE not in page.locator("#live").inner_text()
    live.click()
    expect(page.locator("#detail")).to_be_visible()
    expect(page.locator("#detail-title")).to_have_text("旁听会话（只读）")
    assert violations(page) == []
    page.get_by_role("button", name="审计记录").click()
    expect(page.locator("#detail")).to_be_hidden()
    page.get_by_role("button", name="实时会话").click()
    expect(page.locator("#detail")).to_be_hidden()  # closed, not only hidden behind a tab

    # The audit log: Chinese names, filters for who, what and when, and pages past 100 rows.
    page.get_by_role("button", name="审计记录").click()
    rows = page.locator("#audit tr")
    expect(rows.first).to_be_visible()
    what = page.locator("#audit tr td:nth-child(3)").all_inner_texts()
    assert what and not any(re.fullmatch(r"[a-z_]+\.[a-z_]+", w) for w in what), what
    page.get_by_label("谁（登录账号）").fill(noter)
    page.get_by_label("做了什么").select_option(label="写备注")
    page.get_by_role("button", name="查找").click()
    who = page.locator("#audit tr td:nth-child(2)")
    expect(who.filter(has_not_text=noter)).to_have_count(0)
    expect(rows).to_have_count(100)
    assert set(page.locator("#audit tr td:nth-child(2)").all_inner_texts()) == {noter}
    assert set(page.locator("#audit tr td:nth-child(3)").all_inner_texts()) == {"写备注"}
    page.get_by_role("button", name="再看更早的100条").click()
    expect(rows).to_have_count(110)
    expect(page.locator("#audit-count")).to_contain_text("没有更早的了")
    expect(page.get_by_role("button", name="再看更早的100条")).to_be_hidden()
    assert violations(page) == []
    page.get_by_label("从哪天").fill("2099-01-01")
    page.get_by_role("button", name="查找").click()
    expect(rows).to_have_count(0)
    expect(page.locator("#audit-count")).to_contain_text("没有符合条件的记录")
    assert policy.violations() == []


# ------------------------------------------------------------------ item 15: the live feed


def test_live_events_update_the_lists_without_reloading_them(
    served_gateway: ServedGateway, context: BrowserContext
) -> None:
    gateway = served_gateway
    district = new_district()
    member = gateway.staff("staff", district)
    colleague = gateway.staff("staff", district)
    page = context.new_page()
    lists: list[str] = []
    calls: list[str] = []

    def counted(request: Any) -> None:
        if "/api/" in request.url and "/api/console/events" not in request.url:
            calls.append(request.url)
        if "/api/handoffs?status=" in request.url:
            lists.append(request.url)

    page.on("request", counted)
    log_in(page, gateway, member)
    expect(page.locator("#waiting-count")).to_have_text("（0）")
    # A short session: six citizens arrive, one is served and handed back, a colleague takes
    # another, one citizen gives up waiting.
    citizens = [waiting_citizen(gateway, district, said=f"第{n}位市民") for n in range(6)]
    expect(page.locator("#waiting-count")).to_have_text("（6）", timeout=5_000)
    row(page, citizens[0][0]).click()
    page.get_by_role("button", name="接入", exact=True).click()
    expect(page.locator("#mine li")).to_have_count(1)
    page.get_by_label("回复市民").fill("您好")
    page.get_by_label("回复市民").press("Enter")
    gateway.say(citizens[0][0], citizens[0][1], "谢谢")
    expect(page.locator("#transcript")).to_contain_text("谢谢")
    with gateway_client(gateway, colleague) as client:
        assert client.post(f"/api/handoffs/{citizens[1][2]}/claim").status_code == 200
    expect(page.locator("#others li")).to_have_count(1, timeout=5_000)
    page.get_by_label("办理小结（小助手会告诉市民）").fill("已办好")
    page.get_by_role("button", name="交还小助手").click()
    expect(page.locator("#mine li")).to_have_count(0, timeout=5_000)
    gateway.say(citizens[2][0], citizens[2][1], "不等了")  # the waiting room's cancel
    expect(page.locator("#waiting-count")).to_have_text(re.compile("（[34]）"), timeout=5_000)
    print(f"\nconsole fetches in the session: {len(calls)}, queue list reads: {len(lists)}")
    expect(page.locator("#waiting .badge.place").first).to_have_text("第1位")
    assert len(lists) == 2, lists  # waiting + active, once, at connection


# ------------------------------------------------------------------ axe and screenshots


def small_controls(page: Page) -> list[str]:
    """Visible controls smaller than 48 × 48 CSS px."""
    found: list[str] = page.evaluate(
        """[...document.querySelectorAll("button, input, select, textarea")]
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.id || e.textContent.trim(), e.getBoundingClientRect()])
        .filter(([, r]) => r.width < 48 || r.height < 48)
        .map(([name, r]) => name + " " + Math.round(r.width) + "×" + Math.round(r.height))"""
    )
    return found


def shoot(page: Page, path: Path, *, top: bool = True) -> None:
    """A screenshot (of the top of the page unless ``top`` is false) in CSS pixels, in 256
    colours (small for the README), checked not to be blank."""
    if top:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), scale="css")
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    assert len(small.getcolors() or []) > 8, f"{path.name} looks blank"
    small.save(path, optimize=True)


def test_screens(served_gateway: ServedGateway, browser: Browser, tmp_path: Path) -> None:
    """axe-core finds nothing at desktop, laptop, 200 % zoom and 320 px, in the states a
    staff member and a supervisor reach; the screenshots of the README."""
    gateway = served_gateway
    district = new_district()
    member = gateway.staff("staff", district)
    boss = gateway.staff("supervisor", district)
    keep = Path(os.environ.get("BANSHI_SCREENSHOTS") or tmp_path)
    keep.mkdir(parents=True, exist_ok=True)
    for age, said, service in (
        (82, f"我的养老金这个月没到账，电话{PHONE}", "pension_query"),
        (70, "孙子的学费怎么交", "education_fee"),
        (66, "水费单子看不懂", "utility_payment"),
    ):
        waiting_citizen(
            gateway, district, said=said, citizen={"age": age}, collected={"service": service}
        )
    sizes = {"desktop": (DESKTOP, 1), "laptop": (LAPTOP, 1), "zoom200": (ZOOM_200, 2)}
    sizes["w320"] = ({"width": 320, "height": 640}, 1)
    for name, (viewport, scale) in sizes.items():
        waiting_citizen(
            gateway, district, said="想问问高龄津贴", collected={"service": "elderly_allowance"}
        )
        context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN")
        try:
            page = context.new_page()
            page.goto(f"{gateway.url}/console")
            expect(page.get_by_role("button", name="登录")).to_be_visible()
            assert violations(page) == [], name
            log_in(page, gateway, member)
            expect(page.locator("#waiting li[data-handoff-id]").first).to_be_visible()
            assert violations(page) == [], name
            first = page.locator("#waiting li[data-handoff-id] button").first
            first.click()
            page.get_by_role("button", name="接入", exact=True).click()
            expect(page.get_by_label("回复市民")).to_be_visible()
            page.get_by_label("回复市民").fill("您好，我是社区工作人员。")
            page.get_by_label("回复市民").press("Enter")
            expect(page.locator("#transcript .line.staff")).to_be_visible()
            assert violations(page) == [], name
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert small_controls(page) == [], name
            if name in ("desktop", "laptop"):
                shoot(page, keep / f"console-{name}.png")
            page.locator("#close-ask").click()
            assert violations(page) == [], name
            if name == "laptop":
                page.locator("#close-confirm").scroll_into_view_if_needed()
                shoot(page, keep / "console-end-laptop.png", top=False)
            page.get_by_role("button", name="确定结束").click()
            page.get_by_role("button", name="退出登录").click()

            log_in(page, gateway, boss)
            for tab, shown in (
                ("实时会话", "#live li"),
                ("看板", "#chart-hour svg"),
                ("审计记录", "#audit tr"),
            ):
                page.get_by_role("button", name=tab).click()
                expect(page.locator(shown).first).to_be_visible()
                assert violations(page) == [], (name, tab)
            if name == "desktop":
                shoot(page, keep / "console-audit-desktop.png")
            page.get_by_role("button", name="退出登录").click()
        finally:
            context.close()
