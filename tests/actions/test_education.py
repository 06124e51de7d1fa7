"""Education fees in the service form, replayed on saved trackers against a real sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.service_form import ActionCompleteService, ValidateServiceForm
from actions.services import by_code, by_intent
from actions.services.base import Turn
from actions.services.education import EducationFee, extract_student_id
from platform_sandbox.seed import DEMO_STUDENT_ID
from platform_sandbox.synthetic.education import term_of
from tests import days
from tests.actions.conftest import load_tracker
from tests.conftest import RunningSystem


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [str(m.get("text")) for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("7320291068", "7320291068"),
        ("学号是七三二零 二九幺零 六八", "7320291068"),
        ("732 029 1068", "7320291068"),
        ("12345", None),
        ("73202910681", None),
        (None, None),
    ],
)
def test_extract_student_id(said: Any, expected: str | None) -> None:
    assert extract_student_id(said) == expected


def test_idempotency_key_is_per_conversation_service_and_bill() -> None:
    turn = Turn(CollectingDispatcher(), load_tracker("service_student_id_given"))
    other = Turn(CollectingDispatcher(), load_tracker("service_student_id_given"))
    other.tracker.sender_id = "another-conversation"
    assert turn.idempotency_key("EB1") == turn.idempotency_key("EB1")
    assert turn.idempotency_key("EB1") != turn.idempotency_key("EB2")
    assert turn.idempotency_key("EB1") != other.idempotency_key("EB1")


async def test_student_with_an_unpaid_bill_fills_the_bill_slots(
    platform: None, domain: dict
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateServiceForm().run(
        dispatcher, load_tracker("service_student_id_given"), domain
    )
    assert dispatcher.messages == []
    assert events == [
        SlotSet("student_id", DEMO_STUDENT_ID),
        SlotSet("bill_id", "EB202600001"),
        SlotSet("bill_total", "2550.0"),
        SlotSet("bill_school", "相城区阳澄湖高级中学"),
        SlotSet("bill_term", term_of(days.today())),
        SlotSet("requested_slot", "education_confirmed"),
    ]


async def test_a_number_with_no_bill_is_asked_again(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("service_student_id_given", student_id="1234567890")
    tracker.latest_message["entities"] = []
    tracker.latest_message["text"] = "1234567890"
    events = await ValidateServiceForm().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["学号 1234567890 没有要缴的费用。请核对后再说一遍。"]
    assert events == [
        SlotSet("student_id", None),
        SlotSet("field_failures", 1),
        SlotSet("requested_slot", "student_id"),
    ]


async def test_nothing_to_check_lets_the_rules_answer(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("service_student_id_given", student_id=None)
    tracker.events = tracker.events[:-1]  # "再说一遍": no slot was filled
    tracker.latest_message = {"text": "再说一遍", "intent": {"name": "repeat"}, "entities": []}
    events = await ValidateServiceForm().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert events == [SlotSet("requested_slot", "student_id")]


async def test_the_third_unusable_answer_hands_over(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("service_student_id_given", student_id="不知道", field_failures=2)
    tracker.latest_message["entities"] = []
    events = await ValidateServiceForm().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[-1] == "抱歉，我几次都没听清，我请工作人员来帮您。"
    assert SlotSet("escalate", True) in events
    assert events[-1] == SlotSet("requested_slot", None)


async def test_confirmed_bill_is_paid_once(
    platform: None, domain: dict, sandbox: RunningSystem
) -> None:
    slots = {
        "bill_id": "EB202600001",
        "bill_total": "2550.00",
        "education_confirmed": True,
        "requested_slot": None,
    }
    first, again = CollectingDispatcher(), CollectingDispatcher()
    events = await ActionCompleteService().run(
        first, load_tracker("service_student_id_given", **slots), domain
    )
    await ActionCompleteService().run(
        again, load_tracker("service_student_id_given", **slots), domain
    )
    said = texts(first)
    assert said[0] == "缴费单已生成，金额 2550.00 元。"
    assert said[1].startswith("缴费码是 ") and texts(again)[1] == said[1]
    assert SlotSet("service", None) in events and SlotSet("bill_id", None) in events
    with sandbox.platform() as client:
        bills = client.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).json()
    assert [b["status"] for b in bills if b["bill_id"] == "EB202600001"] == ["unpaid"]


def test_the_service_is_found_by_its_intent() -> None:
    assert isinstance(by_intent("pay_education_fee"), EducationFee)
    assert by_code("education_fee") is by_intent("pay_education_fee")


async def test_a_bill_waiting_for_payment_is_told_as_waiting_then_as_paid(
    platform: None, domain: dict, sandbox: RunningSystem
) -> None:
    slots = {
        "bill_id": "EB202600001",
        "bill_total": "2550.00",
        "education_confirmed": True,
        "requested_slot": None,
    }
    first, other = CollectingDispatcher(), CollectingDispatcher()
    await ActionCompleteService().run(
        first, load_tracker("service_student_id_given", **slots), domain
    )
    pay_code = texts(first)[1].removeprefix("缴费码是 ").removesuffix("。")
    # The same bill from another conversation (another Idempotency-Key): not a new order.
    elsewhere = load_tracker("service_student_id_given", **slots)
    elsewhere.sender_id = "a-grandchild-asks-again"
    await ActionCompleteService().run(other, elsewhere, domain)
    said = texts(other)
    assert said[0] == "这笔费用已经生成过缴费码，还没有付款。"
    assert said[1] == f"缴费码还是 {pay_code}，金额 2550.00 元。"
    assert "已经缴过了" not in "".join(said)

    with sandbox.platform() as client:
        refused = client.post("/v1/payments", json={"bill_id": "EB202600001", "payer": "family"})
        pending = refused.json()["error"]["pending_payment"]
        assert pending["pay_code"] == pay_code
        client.post(f"/v1/sandbox/payments/{pending['payment_id']}/complete").raise_for_status()
    # Asked again once paid: the lookup says it is paid, and the service ends.
    dispatcher = CollectingDispatcher()
    events = await ValidateServiceForm().run(
        dispatcher, load_tracker("service_student_id_given"), domain
    )
    assert texts(dispatcher) == ["这笔费用已经缴过了，不用再缴。", "还有别的事要办吗？"]
    assert SlotSet("service_done", True) in events
