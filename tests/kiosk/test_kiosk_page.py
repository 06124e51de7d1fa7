"""The /kiosk page in Chromium: the elder layout (K1–K12), a typed turn that is shown and
spoken, quick replies, read-again, barge-in by touch, the 人工 button, the inactivity reset."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.chromium import PolicyWatch
from tests.conftest import RunningSystem
from tests.kiosk import audio_probe
from tests.kiosk.conftest import IDLE_S, WARNING_S

pytestmark = pytest.mark.browser

SMALL_TARGETS = """[...document.querySelectorAll('button, input, a, [role=button]')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return {name: (e.textContent || e.id).trim(), w: r.width, h: r.height}; })
  .filter(r => r.w < 60 || r.h < 60)"""


def open_kiosk(
    browser: Browser, system: RunningSystem, *, probe: bool = False, **context: object
) -> Page:
    """The kiosk page, its greeting shown; with ``probe``, listening to what it plays."""
    page = browser.new_page(**context)  # type: ignore[arg-type]
    if probe:
        audio_probe.install(page)
    page.goto(f"{system.gateway}/kiosk")
    expect(page.locator("#log .msg.bot").first).to_contain_text("办事小助手")
    return page


def say(page: Page, text: str) -> None:
    page.get_by_label("输入您要说的话").fill(text)
    page.get_by_role("button", name="发送").click()


def human_box(page: Page) -> dict[str, float]:
    return page.locator("#human").bounding_box()  # type: ignore[return-value]


def test_typed_turn_is_shown_and_spoken(kiosk_system: RunningSystem, browser: Browser) -> None:
    page = browser.new_page()
    policy = PolicyWatch(page)
    page.goto(f"{kiosk_system.gateway}/kiosk")
    expect(page.locator("#log .msg.bot").first).to_contain_text("办事小助手")
    say(page, "你好")
    expect(page.locator("#log .msg.citizen").last).to_have_text(re.compile("你好"))
    expect(page.locator("#log .msg.bot").nth(1)).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.kioskStats.sourcesEnded > 0", timeout=30_000)
    # Read again: the same message is sent down as speech once more.
    starts = page.evaluate("window.kioskStats.audioStarts")
    page.locator("#log .msg.bot .again").first.click()
    page.wait_for_function(f"() => window.kioskStats.audioStarts > {starts}", timeout=10_000)
    # Quick replies mirror the bot's buttons and send their payload.
    say(page, "交学费")
    expect(page.locator("#log .msg.bot").last).to_contain_text("学号", timeout=30_000)
    assert policy.violations() == []  # the WebSocket and the audio pass the policy
    page.close()


def test_touching_stops_the_speech_within_half_a_second(
    kiosk_system: RunningSystem, browser: Browser
) -> None:
    """K10/V7, measured from the browser's touch event to the last sound that left the
    speaker, and the speaker stays quiet afterwards."""
    page = open_kiosk(browser, kiosk_system, probe=True)
    say(page, "你好")
    # Wait for the reply itself to be speaking: the greeting spoken on opening is stopped by
    # the typed turn, and a touch before the reply arrives would race with it.
    reply = page.locator("#log .msg.bot").nth(1)
    expect(reply).to_be_visible(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('#log .msg.bot.speaking') !== null"
        " && window.kioskStats.playing === true",
        timeout=30_000,
    )
    audio_probe.wait_until_heard(page)
    reply.locator(".text").click()  # a real touch, through the browser's input pipeline
    probe = audio_probe.wait_until_quiet(page, quiet_ms=1500)
    stats = page.evaluate("window.kioskStats")
    assert stats["playing"] is False and stats["lastBargeInWhy"] == "touch"
    assert probe["touchedAt"] is not None and probe["polls"] > 100, probe
    # The greeting goes on for seconds: had the touch not stopped it, sound would have been
    # heard long after.
    assert probe["heardAt"] - probe["touchedAt"] <= 500, probe
    page.close()


def test_elder_layout_and_accessibility(kiosk_system: RunningSystem, browser: Browser) -> None:
    page = open_kiosk(browser, kiosk_system)
    say(page, "你好")
    expect(page.locator("#log .msg.bot").nth(1)).to_be_visible(timeout=30_000)
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], v["nodes"][0]["target"]) for v in violations]
    # K3: every visible control at least 60 × 60 CSS px.
    assert page.evaluate(SMALL_TARGETS) == []
    # K1: text ≥ 18 px, line height ≥ 1.3, one control enlarges it to ≥ 30 px.
    size, line = page.evaluate(
        """(() => { const s = getComputedStyle(document.querySelector('.msg .text'));
                    return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; })()"""
    )
    assert size >= 18 and line / size >= 1.3
    page.get_by_role("button", name="大字").click()
    assert (
        page.evaluate("parseFloat(getComputedStyle(document.querySelector('.msg .text')).fontSize)")
        >= 30
    )
    assert page.evaluate(SMALL_TARGETS) == []
    # K8: roles; K9: zoom is allowed.
    for selector, role in (("#log", "log"), ("#status", "status"), ("#alert", "alert")):
        assert page.get_attribute(selector, "role") == role
    viewport = page.get_attribute("meta[name=viewport]", "content") or ""
    assert "user-scalable=no" not in viewport and "maximum-scale=1" not in viewport
    # K10: every bot message has a read-aloud control, the greeting too.
    assert page.locator("#log .msg.bot").count() == page.locator("#log .msg.bot .again").count()
    page.close()


def test_reflows_at_320_px(kiosk_system: RunningSystem, browser: Browser, tmp_path) -> None:
    page = open_kiosk(browser, kiosk_system, viewport={"width": 320, "height": 640})
    say(page, "你好")
    expect(page.locator("#log .msg.bot").nth(1)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="大字").click()
    page.screenshot(path=str(tmp_path / "kiosk-320.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(SMALL_TARGETS) == []
    page.close()


def test_human_button_sends_the_request(kiosk_system: RunningSystem, browser: Browser) -> None:
    page = open_kiosk(browser, kiosk_system)
    box = human_box(page)
    page.get_by_role("button", name="人工").click()
    expect(page.locator("#log .msg.citizen").last).to_have_text(re.compile("转人工"))
    expect(page.locator("#log .msg:not(.citizen)").nth(1)).to_be_visible(timeout=30_000)
    assert human_box(page) == box  # K4: same place after the turn
    page.close()


def test_inactivity_warning_then_reset_erases_the_conversation(
    kiosk_system: RunningSystem, browser: Browser
) -> None:
    page = open_kiosk(browser, kiosk_system)
    first_id = page.evaluate("window.kioskStats.connects")
    human = human_box(page)
    say(page, "我要给孙子交学费")
    expect(page.locator("#log .msg.bot").last).to_contain_text("学号", timeout=30_000)
    page.wait_for_function("() => window.kioskStats.audioStarts > 0 && !window.kioskStats.playing")
    starts = page.evaluate("window.kioskStats.audioStarts")
    # Silence: after the idle time the warning is shown and spoken …
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=(IDLE_S + 20) * 1000)
    expect(warning).to_contain_text("继续使用")
    page.wait_for_function(f"() => window.kioskStats.audioStarts > {starts}", timeout=5_000)
    assert human_box(page) == human  # K4: the 人工 button stays where it was
    # … "继续使用" extends …
    page.get_by_role("button", name="继续使用").click()
    expect(warning).to_be_hidden()
    assert page.locator("#log").inner_text().count("学号") >= 1
    # … and with nobody there, the screen is reset: the conversation is gone.
    expect(warning).to_be_visible(timeout=(IDLE_S + 20) * 1000)
    expect(warning).to_be_hidden(timeout=(WARNING_S + 10) * 1000)
    expect(page.locator("#log .msg.citizen")).to_have_count(0)
    log = page.locator("#log").inner_text()
    assert "孙子" not in log and "学号" not in log
    expect(page.locator("#log .msg.bot").first).to_contain_text("办事小助手")
    assert page.evaluate("window.kioskStats.resets") == 1
    assert page.evaluate("window.kioskStats.connects") == first_id  # same socket, new conversation
    page.close()


def test_keyboard_text_spacing_and_dialog(kiosk_system: RunningSystem, browser: Browser) -> None:
    """K7: every control is reached with Tab and shows its focus; K11: the WCAG text-spacing
    overrides cut nothing off; K5: the warning closes from a large control at bottom centre."""
    page = open_kiosk(browser, kiosk_system, viewport={"width": 800, "height": 900})
    controls = page.evaluate(
        "[...document.querySelectorAll('button, input')].filter(e => e.offsetParent).length"
    )
    reached = set()
    for _ in range(controls + 2):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """(() => { const e = document.activeElement;
                        if (e === document.body) return null;
                        const s = getComputedStyle(e);
                        const name = e.id || e.textContent.trim();
                        return [name, s.outlineStyle, s.outlineWidth]; })()"""
        )
        if focused is None:
            continue
        reached.add(focused[0])
        assert focused[1] != "none" and focused[2] != "0px", focused
    assert {"bigger", "slower", "human", "mic", "handsfree", "text", "send"} <= reached
    # The text-spacing overrides as a constructed style sheet (the page's policy refuses an
    # inline <style>; style sheets made through the CSSOM are the user's, not the page's).
    page.evaluate(
        """() => { const sheet = new CSSStyleSheet();
                   sheet.replaceSync("* { line-height: 1.5 !important;"
                     + " letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
                     + " p { margin-bottom: 2em !important; }");
                   document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }"""
    )
    assert page.evaluate("document.adoptedStyleSheets.length") == 1
    clipped = page.evaluate(
        """[...document.querySelectorAll('.msg, button, .help, h1')]
             .filter(e => e.offsetParent && (e.scrollWidth > e.clientWidth + 1
                                               || e.scrollHeight > e.clientHeight + 1))
             .map(e => e.className || e.id)"""
    )
    assert clipped == []
    page.evaluate("document.getElementById('idle').hidden = false")
    panel = page.locator("#idle").bounding_box()
    stay = page.locator("#stay").bounding_box()
    assert panel and stay and stay["width"] >= 44 and stay["height"] >= 44
    centre = stay["x"] + stay["width"] / 2
    assert abs(centre - (panel["x"] + panel["width"] / 2)) < 2
    assert stay["y"] + stay["height"] > panel["y"] + panel["height"] / 2  # lower half
    page.close()
