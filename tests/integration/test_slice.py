"""The first slice, end to end over HTTP through every process (no mocks of our parts):
greeting → pay a grandchild's school fee → read-back → "对" → a payment with a pay code."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import httpx
import pytest

from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chat import Chat
from tests.conftest import RunningSystem
from zhtext.speakable import spoken
from zhtext.spoken import digits

pytestmark = pytest.mark.integration


def say(chat: Chat, text: str) -> dict:
    known = chat.id
    body = chat.say(text)
    assert known is None or body["conversation_id"] == known
    assert body["messages"], f"no answer to {text!r}"
    return body


def texts(body: dict) -> str:
    return "\n".join(m["text"] for m in body["messages"])


def demo_bill(system: RunningSystem) -> dict:
    system.reset_platform()
    with system.platform() as platform:
        bills = platform.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).json()
    unpaid = [b for b in bills if b["status"] == "unpaid"]
    assert len(unpaid) == 1
    return unpaid[0]


def test_greeting_says_what_the_assistant_can_do(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        body = say(Chat(client), "你好")
    assert body["mode"] == "bot"
    said = texts(body)
    assert "您好" in said and "交学费" in said
    assert all(m["from"] == "bot" for m in body["messages"])
    assert any(m.get("buttons") for m in body["messages"])


def test_pay_grandchild_school_fee(system: RunningSystem) -> None:
    bill = demo_bill(system)
    total = Decimal(str(bill["total"]))
    assert total == Decimal("2550.00")  # the demo bill: 学费 1800.00 + 住宿费 750.00
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        conversation = Chat(client)
        asked = say(conversation, "我要给孙子交学费")
        assert "学号" in texts(asked)

        offer = say(conversation, DEMO_STUDENT_ID)
        said = texts(offer)
        assert bill["school"] in said and bill["term"] in said
        assert "2550.00" in said  # digits on screen
        speech = "".join(m.get("speech", "") for m in offer["messages"])
        assert "两千五百五十元" in speech  # words for speech
        assert not re.search(r"[0-9]", speech)
        confirm = offer["messages"][-1]
        assert "缴费" in confirm["text"] and [b["payload"] for b in confirm["buttons"]] == [
            "/affirm",
            "/deny",
        ]

        paid = say(conversation, "对")
        said = texts(paid)
        match = re.search(r"缴费码是 (\w+)", said)
        assert match, said
        assert f"{total:.2f}" in said
        # The pay code is said digit by digit in groups, never as a quantity.
        code_said = next(m["speech"] for m in paid["messages"] if "缴费码是" in m["text"])
        assert code_said == spoken("缴费码是 ", digits(match.group(1)), "。").speech
        assert not re.search("[十百千万]", code_said)

        # The bill now has a payment: a second order for it is refused by the platform.
        with system.platform() as platform:
            again = platform.post(
                "/v1/payments",
                json={"bill_id": bill["bill_id"], "payer": "family"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
        assert again.status_code == 409 and again.json()["error"]["code"] == "bill_already_paid"

        # "对" once more does not pay again; the bot asks what to do next.
        after = say(conversation, "对")
        assert "缴费码" not in texts(after)
        assert "办什么" in texts(after)


def test_unknown_student_number_is_asked_again(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        conversation = Chat(client)
        say(conversation, "交学费")
        body = say(conversation, "9999999999")
        said = texts(body)
        assert "9999999999" in said and "没有要缴的费用" in said
        assert "学号" in body["messages"][-1]["text"]
        short = say(conversation, "123")
        assert "10位数字" in texts(short)


def test_transcript_is_kept_in_order(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        conversation = Chat(client)
        first = say(conversation, "你好")
        second = say(conversation, "交学费")
        listed = conversation.sees(0)
        seqs = [m["seq"] for m in listed["messages"]]
        assert seqs == sorted(seqs)
        assert [m["text"] for m in listed["messages"]] == [
            m["text"] for m in first["messages"] + second["messages"]
        ]
        newer = conversation.sees(first["messages"][-1]["seq"])
        assert [m["text"] for m in newer["messages"]] == [m["text"] for m in second["messages"]]
