"""The handoff triggers through the bot, on the real processes (Rasa, action server, gateway):
"转人工" at any turn and inside a form, fraud risk (a warning, then high priority), and the
misunderstanding ladder (rephrase; offer a person; hand off on the third miss in a row of
messages the bot cannot act on)."""

from __future__ import annotations

import pytest

from tests.conftest import RunningSystem
from tests.handoff.kit import Console, add_staff, citizen_says, conversation, new_district, start

pytestmark = pytest.mark.integration


def _texts(answer: dict) -> str:
    return "\n".join(m["text"] for m in answer["messages"])


@pytest.fixture
def on_duty(system: RunningSystem):  # type: ignore[no-untyped-def]
    """Someone is on duty (a web chat citizen has no district: any staff can take it)."""
    (account,) = add_staff(system, ("staff", new_district()))
    with Console(system.gateway, account) as console:
        yield console


def test_asking_for_a_person_queues_the_conversation(
    system: RunningSystem, on_duty: Console
) -> None:
    conversation_id = conversation(system, "你好")
    answer = citizen_says(system, conversation_id, "转人工")
    assert answer["mode"] == "waiting"
    said = _texts(answer)
    assert "正在为您转接工作人员" in said and "大约" in said
    queued = on_duty.get("/api/handoffs", status="waiting").json()["handoffs"]
    mine = next(h for h in queued if h["conversation_id"] == conversation_id)
    assert mine["reason"] == "requested" and mine["priority"] == "normal"
    # The next turn goes to staff, not to the bot.
    assert "工作人员接入后会看到" in _texts(citizen_says(system, conversation_id, "我想交学费"))


def test_asking_for_a_person_inside_a_form(system: RunningSystem, on_duty: Console) -> None:
    conversation_id, asked = start(system, "我要给孙子交学费")
    assert "学号" in _texts(asked)
    answer = citizen_says(system, conversation_id, "我要找工作人员")
    assert answer["mode"] == "waiting"
    handoff = next(
        h
        for h in on_duty.get("/api/handoffs", status="waiting").json()["handoffs"]
        if h["conversation_id"] == conversation_id
    )
    # Whom the fee is for, as its canonical relation (孙子 → 孙辈).
    assert handoff["collected"].get("relation") == "孙辈"
    on_duty.post(f"/api/handoffs/{handoff['id']}/claim")
    back = on_duty.post(f"/api/handoffs/{handoff['id']}/release", {"summary": "已说明缴费方法"})
    greeting = "\n".join(m["text"] for m in back.json()["greeting"])
    assert "已说明缴费方法" in greeting
    # The form was left: the next message is understood afresh, not taken as a student number.
    after = citizen_says(system, conversation_id, "你好")
    assert "学号" not in _texts(after) and "交学费" in _texts(after)


def test_fraud_risk_warns_then_queues_with_high_priority(
    system: RunningSystem, on_duty: Console
) -> None:
    conversation_id, answer = start(system, "有人打电话让我把钱转到安全账户")
    said = _texts(answer)
    assert answer["mode"] == "waiting"
    assert "不要转账" in said and "正在为您转接工作人员" in said
    assert said.index("不要转账") < said.index("正在为您转接工作人员")
    handoff = next(
        h
        for h in on_duty.get("/api/handoffs", status="waiting").json()["handoffs"]
        if h["conversation_id"] == conversation_id
    )
    assert handoff["reason"] == "fraud_risk" and handoff["priority"] == "high"


def test_misunderstanding_ladder_hands_off_on_the_third_miss(
    system: RunningSystem, on_duty: Console
) -> None:
    conversation_id, first = start(system, "今天天气怎么样")
    assert first["mode"] == "bot" and "这件事我还帮不上忙" in _texts(first)
    assert "查养老金" in _texts(first)  # and how to say what it can do
    second = citizen_says(system, conversation_id, "帮我订一张去北京的机票")
    assert second["mode"] == "bot"
    assert "也可以找工作人员帮您" in _texts(second)
    buttons = [b["payload"] for m in second["messages"] for b in m.get("buttons", [])]
    assert "/request_human" in buttons
    third = citizen_says(system, conversation_id, "鸡蛋多少钱一斤")
    assert third["mode"] == "waiting"
    assert "我请工作人员来帮您" in _texts(third)
    handoff = next(
        h
        for h in on_duty.get("/api/handoffs", status="waiting").json()["handoffs"]
        if h["conversation_id"] == conversation_id
    )
    assert handoff["reason"] == "misunderstood"
