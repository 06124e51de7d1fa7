"""A person on the phone: DTMF 0 queues the call for staff (seen in the console's queue), the
queue notice is said, a staff reply typed in the console is spoken to the caller."""

from __future__ import annotations

from channels.phone.session import CALL_ENDED
from conversation.store import Party
from tests.handoff.kit import Console, add_staff
from tests.phone.conftest import PhoneStack
from tests.voice.conftest import hangul
from voice.audio import rms


def test_zero_reaches_a_person_and_staff_replies_are_spoken(
    phone_stack: PhoneStack, korean_8k: bytes
) -> None:
    system = phone_stack.system
    (boss,) = add_staff(system, ("supervisor", "测试区"))
    with Console(system.gateway, boss) as supervisor:
        assert supervisor.get("/api/handoffs", status="waiting").status_code == 200  # on duty
        call, session, future = phone_stack.call()
        call.wait_until(lambda c: len(c.played) >= 1)
        before = len(call.played)
        call.press("0")
        call.wait_until(lambda c: len(c.played) > before)  # the queue notice is said
        waiting = supervisor.get("/api/handoffs", status="waiting").json()["handoffs"]
        (mine,) = [h for h in waiting if h["conversation_id"] == session.conversation_id]
        assert mine["reason"] == "dtmf_0" and mine["channel"] == "phone"

        assert supervisor.post(f"/api/handoffs/{mine['id']}/claim").status_code == 200
        before = len(call.played)
        sent = supervisor.post(
            f"/api/handoffs/{mine['id']}/messages", {"text": "您好，我是工作人员，请讲。"}
        )
        assert sent.status_code == 201
        call.wait_until(lambda c: len(c.played) > before)
        reply = call.audio_bytes(before)
        assert len(reply) / 16000 > 1.5 and rms(reply) > 500

        # what the caller says now goes to staff: in the console's transcript, no bot answer
        call.say(korean_8k)
        call.wait_said()
        call.caller_hangs_up()
        future.result(timeout=60)
        transcript = supervisor.get(f"/api/conversations/{session.conversation_id}/transcript")
        assert transcript.status_code == 200
        body = transcript.json()
        assert body["conversation"]["channel"] == "phone"
        said = [m for m in body["messages"] if m["from"] == "citizen"]
        assert len(said) == 1 and hangul(said[0]["text"])
        assert body["messages"][-1]["text"] == CALL_ENDED
    messages = phone_stack.messages(session.conversation_id)
    staff = [m for m in messages if m.party is Party.STAFF]
    assert [m.text for m in staff] == ["您好，我是工作人员，请讲。"]
    citizen = next(m for m in messages if m.party is Party.CITIZEN)
    assert not [m for m in messages if m.seq > citizen.seq and m.party is Party.BOT]
