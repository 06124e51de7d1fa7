"""A kiosk voice turn end to end in Chromium: the fake microphone's speech goes up the
WebSocket, the recognizer hears it, the bot's reply is shown and its audio is played."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.chromium import PolicyWatch
from tests.conftest import RunningSystem
from tests.kiosk import audio_probe

pytestmark = pytest.mark.browser


def test_voice_turn_end_to_end(kiosk_system: RunningSystem, mic_browser: Browser) -> None:
    page = mic_browser.new_page()
    policy = PolicyWatch(page)
    page.goto(f"{kiosk_system.gateway}/kiosk")
    expect(page.locator("#mic")).to_be_enabled(timeout=60_000)  # the model has loaded
    page.locator("#mic").click()
    # The Korean speech is recognized (the text is Korean, so the bot will not understand it).
    citizen = page.locator("#log .msg.citizen")
    expect(citizen).to_have_count(1, timeout=30_000)
    assert citizen.first.locator(".text").inner_text().strip()
    stats = page.evaluate("window.kioskStats")
    assert stats["framesSent"] > 50 and stats["transcripts"] == 1
    # A bot reply is shown and spoken.
    expect(page.locator("#log .msg.bot, #log .msg.system").nth(1)).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.kioskStats.sourcesEnded > 0", timeout=30_000)
    stats = page.evaluate("window.kioskStats")
    assert stats["audioStarts"] >= 1 and stats["audioSamples"] > 22050
    assert policy.violations() == []  # the audio worklet passes the policy
    page.close()


def test_speaking_over_the_reply_stops_it(
    kiosk_system: RunningSystem, mic_browser: Browser
) -> None:
    """Hands-free: the microphone stays open while the bot talks; the fake microphone's speech
    (every 5.7 s) interrupts a long reply within half a second of its onset (V7), and the
    speaker really goes quiet."""
    page = mic_browser.new_page()
    audio_probe.install(page)
    page.goto(f"{kiosk_system.gateway}/kiosk")
    expect(page.locator("#mic")).to_be_enabled(timeout=60_000)
    page.get_by_role("button", name="免按键").click()
    expect(page.locator("#mic")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("输入您要说的话").fill("你好")  # a long greeting to talk over
    page.get_by_role("button", name="发送").click()
    page.wait_for_function("() => window.kioskStats.voiceBargeInLatencyMs !== null", timeout=30_000)
    stats = page.evaluate("window.kioskStats")
    assert stats["lastBargeInWhy"] == "voice"
    assert 0 <= stats["voiceBargeInLatencyMs"] <= 500, stats
    # Nothing is heard from 150 ms after the stop on (a new reply cannot start this soon: the
    # person is still speaking). The voice may have come before any of the reply was audible.
    page.wait_for_function("() => performance.now() - window.kioskStats.lastBargeInMs > 400")
    probe = page.evaluate("({heardAt: audioProbe.heardAt, stoppedAt: kioskStats.lastBargeInMs})")
    assert probe["heardAt"] is None or probe["heardAt"] - probe["stoppedAt"] <= 150, probe
    page.close()
