"""A person on the phone: DTMF 0 queues the call for staff (seen in the console's queue), the
queue notice is said, a staff reply typed in the console is spoken to the caller."""

from __future__ import annotations

from conversation.store import Party
from tests.handoff.kit import Console, add_staff
from tests.phone.conftest import PhoneStack
from voice.audio import rms


def test_zero_reaches_a_person_and_staff_replies_are_spoken(phone_stack: PhoneStack) -> None:
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

        call.caller_hangs_up()
        future.result(timeout=60)
    messages = phone_stack.messages(session.conversation_id)
    staff = [m for m in messages if m.party is Party.STAFF]
    assert [m.text for m in staff] == ["您好，我是工作人员，请讲。"]
