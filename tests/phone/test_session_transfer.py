"""A person by the staff number: with ``refer_to`` set, a call that goes to a person (0, the
silence ladder, "转人工") is told it is being transferred and handed to the staff number; when
that works banshi leaves the call, otherwise the caller waits in the console's queue and is
told so. (The in-memory call stands in for SIP: how the caller's phone answers the REFER;
tests/phone/test_sip_refer.py drives REFER with baresip.)"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from channels.phone.media import TransferResult
from channels.phone.rules import Heard
from channels.phone.session import (
    CALL_ENDED,
    CALL_TRANSFERRED,
    TRANSFER_FAILED,
    TRANSFERRING,
    CallSession,
)
from conversation.store import Party
from tests.handoff.kit import Console, add_staff
from tests.phone.conftest import PhoneStack
from tests.phone.memory_call import MemoryCall

STAFF = "sip:8001@pbx.example"
PHONE_BYTES_PER_S = 8000 * 2
RATE_CPM = 190


def spoken_s(text: str) -> float:
    """About how long ``text`` takes to say at the phone's rate."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) / RATE_CPM * 60


@contextmanager
def transferring_call(stack: PhoneStack, result: TransferResult) -> Iterator[tuple[Any, ...]]:
    """A call answered by a session whose staff number is :data:`STAFF`, and whose transfers
    come to ``result``; yields the call, the session and the future of its run."""
    phone = stack.phone
    call = MemoryCall(stack.loop, transfer_result=result)
    session = CallSession(
        call,
        config=replace(phone.config, refer_to=STAFF),
        voice=phone.voice,
        conversations=phone.conversations,
        ask_person=phone.ask_person,
        transferred=phone.transferred,
    )
    future = asyncio.run_coroutine_threadsafe(session.run(), stack.loop)
    call.wait_until(lambda c: len(c.played) >= 1)  # the greeting
    yield call, session, future


def mine(console: Console, status: str, conversation_id: str) -> list[dict[str, Any]]:
    handoffs = console.get("/api/handoffs", status=status).json()["handoffs"]
    return [h for h in handoffs if h["conversation_id"] == conversation_id]


def test_zero_is_told_then_transferred_and_banshi_leaves_the_call(phone_stack: PhoneStack) -> None:
    (boss,) = add_staff(phone_stack.system, ("supervisor", "测试区"))
    with transferring_call(phone_stack, TransferResult.DONE) as (call, session, future):
        before = len(call.played)
        call.press("0")
        future.result(timeout=60)
    assert call.transfers == [STAFF]
    told = b"".join(p.pcm for p in call.played[before : call.played_before_transfer])
    assert len(told) / PHONE_BYTES_PER_S >= 0.6 * spoken_s(TRANSFERRING), "told before REFER"
    assert call.ended
    messages = phone_stack.messages(session.conversation_id)
    assert messages[-1].party is Party.SYSTEM and messages[-1].text == CALL_TRANSFERRED
    assert CALL_ENDED not in [m.text for m in messages]
    with Console(phone_stack.system.gateway, boss) as supervisor:
        for status in ("waiting", "active", "closed"):
            assert mine(supervisor, status, session.conversation_id) == []  # no queue at all


def test_when_the_staff_number_fails_the_caller_is_told_and_queued(
    phone_stack: PhoneStack,
) -> None:
    (boss,) = add_staff(phone_stack.system, ("supervisor", "测试区"))
    with Console(phone_stack.system.gateway, boss) as supervisor:
        assert supervisor.get("/api/handoffs", status="waiting").status_code == 200  # on duty
        with transferring_call(phone_stack, TransferResult.FAILED) as (call, session, future):
            call.press("0")
            call.wait_until(lambda c: bool(c.transfers))
            after = call.played_before_transfer
            # the failure, then the queue notice
            call.wait_until(lambda c: len(c.audio_bytes(after)) / PHONE_BYTES_PER_S > 4)
            (queued,) = mine(supervisor, "waiting", session.conversation_id)
            assert not call.ended
            call.caller_hangs_up()
            future.result(timeout=60)
    assert queued["reason"] == "dtmf_0"
    texts = [m.text for m in phone_stack.messages(session.conversation_id)]
    assert CALL_TRANSFERRED not in texts and texts[-1] == CALL_ENDED
    heard = len(call.audio_bytes(after)) / PHONE_BYTES_PER_S
    assert heard >= 0.6 * spoken_s(TRANSFER_FAILED) + 1, heard


def test_asking_for_a_person_is_transferred_and_the_bots_handoff_ends(
    phone_stack: PhoneStack,
) -> None:
    (boss,) = add_staff(phone_stack.system, ("supervisor", "测试区"))
    with transferring_call(phone_stack, TransferResult.DONE) as (call, session, future):
        # What the recognizer gives for "转人工" (the test model is Korean: it cannot hear it).
        phone_stack.loop.call_soon_threadsafe(session.post, Heard("转人工"))
        future.result(timeout=90)
    assert call.transfers == [STAFF]
    messages = phone_stack.messages(session.conversation_id)
    assert messages[-1].text == CALL_TRANSFERRED
    with Console(phone_stack.system.gateway, boss) as supervisor:
        (closed,) = mine(supervisor, "closed", session.conversation_id)
        assert mine(supervisor, "waiting", session.conversation_id) == []
    assert closed["reason"] == "requested"
    assert closed["outcome"] == "transferred" and closed["outcome_zh"] == "已转接人工电话"


def test_a_caller_who_hangs_up_during_the_transfer_is_not_queued(phone_stack: PhoneStack) -> None:
    (boss,) = add_staff(phone_stack.system, ("supervisor", "测试区"))
    with transferring_call(phone_stack, TransferResult.ENDED) as (call, session, future):
        call.press("0")
        call.wait_until(lambda c: bool(c.transfers))
        call.caller_hangs_up()
        future.result(timeout=60)
    assert call.audio_bytes(call.played_before_transfer) == b"", "no failure notice"
    with Console(phone_stack.system.gateway, boss) as supervisor:
        assert mine(supervisor, "waiting", session.conversation_id) == []
    texts = [m.text for m in phone_stack.messages(session.conversation_id)]
    assert texts[-1] == CALL_ENDED
