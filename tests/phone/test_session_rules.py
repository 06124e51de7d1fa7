"""The phone's own rules on a live call: the silence ladder ends with a person (reason
``silence``), the caller's voice stops playback, ``*`` says the last answer again, "大声点"
and "小声点" change the level of what is said."""

from __future__ import annotations

from channels.phone.rules import OFFER_PERSON, STILL_THERE, Heard
from conversation.store import Party
from tests.handoff.kit import Console, add_staff
from tests.phone.conftest import PhoneStack
from voice.audio import rms


def test_silence_reprompts_then_offers_a_person_then_hands_off(phone_stack: PhoneStack) -> None:
    system = phone_stack.system
    (boss,) = add_staff(system, ("supervisor", "测试区"))
    with Console(system.gateway, boss) as supervisor:
        call, session, future = phone_stack.call()
        # greeting; after 3 s of silence the question again with guidance; after 3 s more the
        # offer of a person; after 3 s more the handoff, whose queue notice is said
        call.wait_until(lambda c: len(c.played) >= 1)
        greeting = len(call.played)
        call.wait_until(lambda c: session.rules.mode == "waiting", timeout_s=90)
        assert session.rules.silences == 0
        assert len(call.played) >= greeting + 3  # reprompt, offer, notice (a piece a sentence)
        assert all(rms(p.pcm) > 500 for p in call.played)
        waiting = supervisor.get("/api/handoffs", status="waiting").json()["handoffs"]
        (mine,) = [h for h in waiting if h["conversation_id"] == session.conversation_id]
        assert mine["reason"] == "silence"
        call.caller_hangs_up()
        future.result(timeout=60)
    assert session.rules.mode == "waiting"
    # the reprompt and the offer are the rules' own speech: said, not stored as bot answers
    texts = [m.text for m in phone_stack.messages(session.conversation_id)]
    assert not any(STILL_THERE in t or OFFER_PERSON in t for t in texts)


def test_the_callers_voice_stops_playback(phone_stack: PhoneStack, korean_8k: bytes) -> None:
    call, session, future = phone_stack.call(play_speed=1.0)
    call.wait_until(lambda c: c.started >= 1)  # the greeting is being said
    call.say(korean_8k)
    call.wait_until(lambda c: len(c.played) >= 1)
    assert call.played[0].completed is False  # cut off by the caller's speech
    call.caller_hangs_up()
    future.result(timeout=60)
    said = [m for m in phone_stack.messages(session.conversation_id) if m.party is Party.CITIZEN]
    assert len(said) == 1


def test_star_says_the_last_answer_again(phone_stack: PhoneStack) -> None:
    call, session, future = phone_stack.call()
    call.wait_until(lambda c: len(c.played) >= 1)
    call.press("*")
    call.wait_until(lambda c: len(c.played) >= 2)
    assert call.played[1].pcm == call.played[0].pcm  # the greeting again, word for word
    call.caller_hangs_up()
    future.result(timeout=60)
    assert not [
        m for m in phone_stack.messages(session.conversation_id) if m.party is Party.CITIZEN
    ]


def test_asking_louder_then_quieter_changes_the_level_of_what_is_said(
    phone_stack: PhoneStack,
) -> None:
    call, session, future = phone_stack.call()
    call.wait_until(lambda c: len(c.played) >= 1)
    greeting = rms(call.audio_bytes())

    def ask(words: str) -> float:
        """Say ``words`` as the recognizer gives them (the test model is Korean: it cannot
        hear Chinese); the RMS of what is said back."""
        before = len(call.played)
        phone_stack.loop.call_soon_threadsafe(session.post, Heard(words))
        call.wait_until(lambda c: len(c.played) > before)
        return rms(call.audio_bytes(before))

    louder = [ask("大声点"), ask("声音再大一点")]
    quieter = ask("小声点")
    call.caller_hangs_up()
    future.result(timeout=60)
    assert greeting * 1.2 < louder[0] < louder[1]
    assert louder[0] * 0.95 < quieter < louder[1]  # back to the first louder level
    assert session.volume == 1
    assert (
        not [  # the phone's own business: no turn for the bot
            m for m in phone_stack.messages(session.conversation_id) if m.party is Party.CITIZEN
        ]
    )
