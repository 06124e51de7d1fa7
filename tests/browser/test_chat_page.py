"""The /chat page in real Chromium: the first slice by typing and tapping, its accessibility
(axe-core with every rule, at phone and desktop sizes, 320 px with 大字 and 200 % zoom), the
greeting, the newest answer kept above the input bar, a reload, reading aloud, and a person's
messages told apart from the assistant's.

200 % zoom is emulated as the CSS viewport a 1280 × 800 window has at 200 % (640 × 400 CSS px)
with ``device_scale_factor=2``.
"""

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
from tests.handoff.kit import Console, add_staff, new_district
from tests.needs import need_espeak

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
    assert axe_violations(page) == []  # every rule, not only the serious ones

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


# ---------------------------------------------------------------------- helpers
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}
ZOOM_200 = {"width": 640, "height": 400}  # 1280 × 800 at 200 %

PLAYED = """
window.__played = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  const result = play.call(this);
  result.then(() => window.__played.push({src: this.src, duration: this.duration}));
  return result;
};
"""
"""Records every sound the page starts (its blob address and length in seconds)."""


def axe_violations(page: Page) -> list[str]:
    """Every axe-core violation on the page, whatever its impact."""
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def open_chat(
    system: RunningSystem, browser: Browser, viewport: dict[str, int], *, big: bool = False
) -> tuple[Page, PolicyWatch]:
    """/chat in a context of its own at ``viewport`` (with 大字), the sounds it plays recorded
    and its Content-Security-Policy violations watched."""
    zoom = 2 if viewport == ZOOM_200 else 1
    context = browser.new_context(viewport=viewport, device_scale_factor=zoom)  # type: ignore[arg-type]
    page = context.new_page()
    policy = PolicyWatch(page)
    page.add_init_script(PLAYED)
    page.goto(f"{system.gateway}/chat")
    if big:
        page.get_by_role("button", name="大字").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\bbig\b"))
    return page, policy


NEWEST_IN_VIEW = """() => {
  const sticky = (e) => getComputedStyle(e).position === "sticky";
  const header = document.querySelector("header");
  const bar = document.getElementById("form");
  const top = sticky(header) ? header.getBoundingClientRect().bottom : 0;
  const bottom = sticky(bar) ? bar.getBoundingClientRect().top : innerHeight;
  const answers = document.querySelectorAll("#log .msg:not(.citizen)");
  const last = answers[answers.length - 1].getBoundingClientRect();
  const options = document.getElementById("options");
  const buttons = [...options.querySelectorAll("button")].map(b => b.getBoundingClientRect());
  const lowest = Math.max(last.bottom, ...buttons.map(b => b.bottom));
  return {top, bottom, answerTop: last.top, lowest, buttons: buttons.length, height: innerHeight};
}"""


def assert_newest_in_view(page: Page, *, buttons: int) -> None:
    """The newest answer and all its quick replies lie between the header and the input bar."""
    page.wait_for_timeout(300)  # let the page finish placing the answer
    seen = page.evaluate(NEWEST_IN_VIEW)
    assert seen["buttons"] == buttons, seen
    assert seen["answerTop"] >= seen["top"] - 1, seen
    assert seen["lowest"] <= seen["bottom"] + 1, seen


def reach_the_bill(page: Page) -> None:
    """交学费, the student number: the amount and the question "现在缴费吗？" with its buttons."""
    page.get_by_role("button", name="交学费").click()
    bot_says(page, "学号")
    send(page, DEMO_STUDENT_ID)
    bot_says(page, "缴费")
    expect(page.get_by_role("button", name="对，缴费")).to_be_attached()


# ---------------------------------------------------------------------- issue 13, items 1–7
@pytest.mark.parametrize(
    ("viewport", "big"),
    [(PHONE, False), (PHONE, True), (DESKTOP, False), (NARROW, True), (ZOOM_200, True)],
    ids=["phone", "phone-big", "desktop", "320-big", "zoom200-big"],
)
def test_newest_answer_and_its_buttons_stay_above_the_bar(
    system: RunningSystem, browser: Browser, viewport: dict[str, int], big: bool
) -> None:
    page, policy = open_chat(system, browser, viewport, big=big)
    assert axe_violations(page) == []  # the greeting
    reach_the_bill(page)
    assert_newest_in_view(page, buttons=2)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert axe_violations(page) == []  # the bill and its question
    # K7: the focused quick reply is never hidden under the bar either.
    page.get_by_role("button", name="对，缴费").focus()
    box = page.get_by_role("button", name="对，缴费").bounding_box()
    bar = page.locator("#form").bounding_box()
    assert box is not None and bar is not None and box["y"] + box["height"] <= bar["y"] + 1
    assert policy.violations() == []
    page.context.close()


def test_greeting_and_three_starting_options_at_once(
    system: RunningSystem, browser: Browser
) -> None:
    page, _policy = open_chat(system, browser, PHONE)
    greeting = page.locator("#log .msg.bot").first
    expect(greeting).to_contain_text("您好！我是办事小助手")
    options = page.get_by_role("group", name="快捷回答").get_by_role("button")
    expect(options).to_have_text(["交学费", "查养老金", "我能办什么"])
    assert page.evaluate("sessionStorage.getItem('banshi.conversation')") is None  # nothing sent
    options.first.click()
    bot_says(page, "学号")
    page.context.close()


def test_a_reload_shows_the_conversation_that_is_still_going(
    system: RunningSystem, browser: Browser
) -> None:
    page, _policy = open_chat(system, browser, PHONE)
    page.get_by_role("button", name="交学费").click()
    bot_says(page, "学号")
    page.reload()
    # The whole conversation again, the citizen's own words too, and a written word about it.
    expect(page.locator("#log .msg.citizen")).to_have_text(["我交学费"])
    expect(page.locator("#log .msg.bot").last).to_contain_text("学号")
    expect(page.get_by_role("status")).to_contain_text("刚才的对话")
    assert_newest_in_view(page, buttons=0)
    send(page, DEMO_STUDENT_ID)  # and it goes on where it was
    bot_says(page, "缴费")
    assert axe_violations(page) == []

    # A conversation the gateway no longer knows: a clean new start, said so.
    page.evaluate(
        """sessionStorage.setItem('banshi.conversation',
             JSON.stringify({id: 'gone0000000000000000', token: 'nolongervalid'}))"""
    )
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("重新开始")
    expect(page.locator("#log .msg")).to_have_count(1)  # the greeting only
    expect(page.get_by_role("group", name="快捷回答").get_by_role("button")).to_have_count(3)
    assert page.evaluate("sessionStorage.getItem('banshi.conversation')") is None
    page.context.close()


def test_every_answer_read_aloud_and_big_text_remembered(
    system: RunningSystem, browser: Browser
) -> None:
    need_espeak()
    page, policy = open_chat(system, browser, PHONE)
    page.get_by_role("button", name="交学费").click()
    bot_says(page, "学号")
    answers = page.locator("#log .msg:not(.citizen)")
    expect(answers.get_by_role("button", name="听这段话")).to_have_count(answers.count())

    # 听 reads the answer (the gateway's speech text, synthesized as WAV).
    answer = answers.last
    with page.expect_response(re.compile(r"/messages/\d+/audio$")) as reply:
        answer.get_by_role("button", name="听这段话").click()
    assert reply.value.status == 200
    assert reply.value.headers["content-type"] == "audio/wav"
    page.wait_for_function("() => window.__played.length === 1")
    played = page.evaluate("window.__played[0]")
    assert played["src"].startswith("blob:") and played["duration"] > 1

    # The greeting too; touching anything else stops the reading (K10).
    greeting = page.locator("#log .msg.welcome")
    with page.expect_response(re.compile(r"/api/chat/welcome/audio$")):
        greeting.get_by_role("button", name="听这段话").click()
    expect(greeting.get_by_role("button", name="停止朗读")).to_be_visible()
    expect(greeting).to_have_class(re.compile("reading"))
    page.get_by_label("输入您要说的话").click()
    expect(greeting.get_by_role("button", name="听这段话")).to_be_visible()
    assert page.evaluate("document.querySelectorAll('.msg.reading').length") == 0
    expect(page.locator("#alert")).to_have_text("")  # it played: no "朗读暂时不能用"
    assert policy.violations() == []  # media-src 'self' blob: lets it play

    # 大字 is remembered, and 找人工 stays where it was.
    human = page.get_by_role("button", name="找人工")
    before = human.bounding_box()
    page.get_by_role("button", name="大字").click()
    assert human.bounding_box() == before
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\bbig\b"))
    expect(page.get_by_role("button", name="标准字")).to_have_attribute("aria-pressed", "true")
    assert human.bounding_box() == before
    page.context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_find_a_person_stays_in_place_with_big_text(
    system: RunningSystem, browser: Browser, width: int
) -> None:
    page, _policy = open_chat(system, browser, {"width": width, "height": 700})
    human = page.get_by_role("button", name="找人工")
    before = human.bounding_box()
    page.get_by_role("button", name="大字").click()
    assert human.bounding_box() == before
    page.context.close()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 320, "height": 568}, {"width": 320, "height": 400}, ZOOM_200],
    ids=["320x568", "320x400", "zoom200"],
)
def test_big_text_leaves_the_conversation_room(
    system: RunningSystem, browser: Browser, viewport: dict[str, int]
) -> None:
    page, _policy = open_chat(system, browser, viewport, big=True)
    room = page.evaluate(NEWEST_IN_VIEW)
    assert room["bottom"] - room["top"] >= 0.7 * room["height"], room
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert axe_violations(page) == []
    page.context.close()


def test_axe_finds_nothing_on_the_greeting(system: RunningSystem, browser: Browser) -> None:
    page, _policy = open_chat(system, browser, PHONE)
    found = axe_violations(page)
    assert not [v for v in found if v.startswith(("aria-prohibited-attr", "region"))]
    assert found == []
    page.context.close()


LOOK = """(selector) => {
  const item = [...document.querySelectorAll(selector)].pop();
  const who = item.querySelector(".who");
  const style = getComputedStyle(item);
  return {label: who.textContent, labelPx: parseFloat(getComputedStyle(who).fontSize),
          background: style.backgroundColor, edge: parseFloat(style.borderLeftWidth)};
}"""


def test_a_person_is_told_apart_from_the_assistant(system: RunningSystem, browser: Browser) -> None:
    # A citizen without a district goes to the supervisors; staff on duty elsewhere mean the
    # citizen is queued rather than offered a call-back.
    account, elsewhere = add_staff(
        system, ("supervisor", new_district()), ("staff", new_district())
    )
    page, _policy = open_chat(system, browser, PHONE, big=True)
    with Console(system.gateway, elsewhere), Console(system.gateway, account) as console:
        page.get_by_role("button", name="找人工").click()
        bot_says(page, "正在为您转接工作人员")
        conversation_id = page.evaluate(
            "JSON.parse(sessionStorage.getItem('banshi.conversation')).id"
        )
        waiting = console.get("/api/handoffs").json()["handoffs"]
        (handoff,) = [h for h in waiting if h["conversation_id"] == conversation_id]
        assert console.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
        reply = console.post(
            f"/api/handoffs/{handoff['id']}/messages", {"text": "您好，我是社区工作人员小王。"}
        )
        assert reply.status_code == 201, reply.text
        expect(page.locator("#log .msg.staff")).to_contain_text("小王", timeout=10_000)

        staff = page.evaluate(LOOK, "#log .msg.staff")
        bot = page.evaluate(LOOK, "#log .msg.bot")
        assert "真人" in staff["label"] and staff["label"] != bot["label"]  # written, not colour
        assert staff["background"] != bot["background"]
        assert staff["edge"] >= 4 * bot["edge"]
        assert staff["labelPx"] >= 18 and bot["labelPx"] >= 18
        assert axe_violations(page) == []  # with a person's message on screen

        # Back to the assistant: its greeting and buttons are in view at once.
        released = console.post(
            f"/api/handoffs/{handoff['id']}/release", {"summary": "已告诉您交学费的步骤"}
        )
        assert released.status_code == 200, released.text
    expect(page.locator("#log .msg.bot").filter(has_text="已告诉您交学费的步骤")).to_be_visible(
        timeout=10_000
    )
    page.wait_for_timeout(600)
    buttons = page.locator("#options button").count()
    assert_newest_in_view(page, buttons=buttons)
    page.context.close()
