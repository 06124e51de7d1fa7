"""A call is a conversation: the greeting, keypad digits, recognised speech and the hang-up,
through the real call session, gateway, Rasa, actions and sandbox (the in-memory call stands in
for the SIP transport only)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from pathlib import Path

import httpx

from channels.phone.config import GREETING, MENU, RECORDING_NOTICE
from channels.phone.rules import Button, keypad_options
from channels.phone.session import CALL_ENDED, CallSession
from conversation.store import Party
from tests.phone.conftest import PhoneStack
from tests.phone.memory_call import MemoryCall
from tests.voice.conftest import hangul
from voice.audio import read_wav, rms

PHONE_BYTES_PER_S = 8000 * 2
RATE_CPM = 190


def seconds(pcm: bytes) -> float:
    return len(pcm) / PHONE_BYTES_PER_S


def test_the_greeting_is_said_at_once_and_the_call_is_a_phone_conversation(
    phone_stack: PhoneStack,
) -> None:
    call, session, future = phone_stack.call()
    call.wait_until(lambda c: len(c.played) >= 1)
    greeting = call.audio_bytes()
    menu = keypad_options(tuple(Button(title, payload) for title, payload in MENU))
    assert menu.startswith("交学费，请按1。")  # the option before its key (V6)
    chars = len(re.findall(r"[\u4e00-\u9fff]", GREETING + menu))
    expected_s = chars / RATE_CPM * 60
    assert 0.6 * expected_s <= seconds(greeting) <= 1.5 * expected_s, seconds(greeting)
    assert rms(greeting) > 500  # speech, not silence
    assert session.first_audio_s is not None and session.first_audio_s < 5

    call.caller_hangs_up()
    future.result(timeout=60)
    messages = phone_stack.messages(session.conversation_id)
    assert messages[0].party is Party.BOT and messages[0].text == GREETING
    assert messages[0].channel == "phone"
    assert messages[-1].party is Party.SYSTEM and messages[-1].text == CALL_ENDED
    settings = phone_stack.run(
        phone_stack.app.state.conversations.store.settings(session.conversation_id)
    )
    assert settings["caller"] == "139****5678"  # the caller's number is kept masked


def test_keypad_digits_reach_the_conversation_as_a_turn(phone_stack: PhoneStack) -> None:
    call, session, future = phone_stack.call()
    call.wait_until(lambda c: len(c.played) >= 1)
    asked = len(call.played)
    call.press("1")  # 交学费, from the greeting's menu
    call.wait_until(lambda c: len(c.played) > asked)  # the question for the student number
    call.wait_until(lambda c: session.rules.question.digits, timeout_s=30)
    before = len(call.played)
    call.press("7320291068#")
    call.wait_until(lambda c: len(c.played) >= before + 2)  # the read-back, then the answer
    call.caller_hangs_up()
    future.result(timeout=60)
    messages = phone_stack.messages(session.conversation_id)
    said = [m for m in messages if m.party is Party.CITIZEN]
    assert [m.text for m in said] == ["/pay_education_fee", "7320291068"]
    answers = [m for m in messages if m.seq > said[-1].seq and m.party is not Party.SYSTEM]
    assert answers, "the bot answered the keyed number"
    read_back = call.played[before].pcm
    assert seconds(read_back) > 2 and rms(read_back) > 500
    metrics = httpx.get(f"{phone_stack.system.gateway}/metrics").text
    assert 'banshi_turns_total{channel="phone",outcome="ok"}' in metrics


def test_speech_is_recognised_and_answered(phone_stack: PhoneStack, korean_8k: bytes) -> None:
    call, session, future = phone_stack.call()
    call.wait_until(lambda c: len(c.played) >= 1)
    call.say(korean_8k)

    def answered() -> bool:
        stored = phone_stack.messages(session.conversation_id)
        citizen = [m.seq for m in stored if m.party is Party.CITIZEN]
        return bool(citizen) and any(m.seq > citizen[0] for m in stored)

    deadline = time.monotonic() + 60
    while not answered():  # (the store is read from this thread, not under the call's lock)
        assert time.monotonic() < deadline, "no answer to the caller's speech"
        time.sleep(0.3)
    call.caller_hangs_up()
    future.result(timeout=60)
    messages = phone_stack.messages(session.conversation_id)
    said = [m for m in messages if m.party is Party.CITIZEN]
    assert len(said) == 1 and hangul(said[0].text), said
    assert any(m.seq > said[0].seq and m.party is Party.BOT for m in messages)


def test_a_hang_up_mid_sentence_loses_nothing_said(
    phone_stack: PhoneStack, korean_8k: bytes
) -> None:
    call, session, future = phone_stack.call()
    call.wait_until(lambda c: len(c.played) >= 1)
    call.say(korean_8k)
    call.wait_said()
    call.caller_hangs_up()  # before the end-of-speech silence has passed
    future.result(timeout=60)
    messages = phone_stack.messages(session.conversation_id)
    said = [m for m in messages if m.party is Party.CITIZEN]
    assert len(said) == 1 and hangul(said[0].text), said
    after = [m for m in messages if m.seq > said[0].seq]
    assert after[0].party is Party.BOT  # the turn was answered and kept
    assert after[-1].text == CALL_ENDED
    assert session.conversation_id not in phone_stack.phone.calls


def test_with_recordings_on_the_caller_is_told_and_their_audio_kept(
    phone_stack: PhoneStack, korean_8k: bytes, tmp_path: Path
) -> None:
    phone = phone_stack.phone
    config = replace(phone.config, recordings=True, recordings_dir=tmp_path)
    call = MemoryCall(phone_stack.loop)
    session = CallSession(
        call,
        config=config,
        voice=phone.voice,
        conversations=phone.conversations,
        ask_person=phone.ask_person,
    )
    future = asyncio.run_coroutine_threadsafe(session.run(), phone_stack.loop)
    call.wait_until(lambda c: len(c.played) >= 1)
    call.say(korean_8k)
    call.wait_said()
    call.caller_hangs_up()
    future.result(timeout=60)
    messages = phone_stack.messages(session.conversation_id)
    assert messages[0].text == GREETING + RECORDING_NOTICE
    (path,) = tmp_path.rglob("*.wav")
    assert path.name == f"{session.conversation_id}.wav"  # named by the call, not the number
    pcm, rate = read_wav(path.read_bytes())
    assert rate == 8000 and seconds(pcm) >= seconds(korean_8k)
    assert korean_8k[:3200] in pcm  # the caller's own audio, as it came
