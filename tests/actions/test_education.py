"""Education-fee actions replayed on saved trackers, against a real sandbox: exact events."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.config import ActionConfig
from actions.confirmation import ActionConfirmPending, ActionDeclinePending
from actions.education import (
    ActionOfferEducationPayment,
    ValidateEducationFeeForm,
    extract_student_id,
    idempotency_key,
)
from actions.platform import runtime
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.actions.conftest import load_tracker
from tests.conftest import RunningSystem

CLEARED = [
    SlotSet("pending_action", None),
    SlotSet("student_id", None),
    SlotSet("bill_id", None),
    SlotSet("bill_total", None),
    SlotSet("bill_school", None),
    SlotSet("bill_term", None),
]


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


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


def test_idempotency_key_is_per_conversation_and_bill() -> None:
    key = idempotency_key("conv-a", "EB1")
    assert key == idempotency_key("conv-a", "EB1")
    assert key != idempotency_key("conv-b", "EB1") and key != idempotency_key("conv-a", "EB2")


async def test_student_with_an_unpaid_bill_fills_the_bill_slots(
    platform: None, domain: dict
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("education_student_id_given", student_id="七三二零二九幺零六八")
    events = await ValidateEducationFeeForm().run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("student_id", DEMO_STUDENT_ID),
        SlotSet("bill_id", "EB202600001"),
        SlotSet("bill_total", "2550.0"),
        SlotSet("bill_school", "相城区阳澄湖高级中学"),
        SlotSet("bill_term", "2026年秋季学期"),
    ]
    assert dispatcher.messages == []


async def test_unknown_student_is_asked_again(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("education_student_id_given", student_id="1111111111")
    events = await ValidateEducationFeeForm().run(dispatcher, tracker, domain)
    assert events == [SlotSet("student_id", None)]
    assert dispatcher.messages[0]["response"] == "utter_no_unpaid_bill"
    assert dispatcher.messages[0]["student_id"] == "1111111111"


async def test_malformed_student_number(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("education_student_id_given", student_id="我不记得了")
    events = await ValidateEducationFeeForm().run(dispatcher, tracker, domain)
    assert events == [SlotSet("student_id", None)]
    assert texts(dispatcher) == ["utter_student_id_invalid"]


async def test_platform_down_is_explained_and_nothing_is_charged(
    sandbox: RunningSystem, domain: dict
) -> None:
    env = {**sandbox.settings.child_env(), "BANSHI_PLATFORM_URL": "http://127.0.0.1:9"}
    runtime.start_client(ActionConfig.from_env(env))
    try:
        dispatcher = CollectingDispatcher()
        events = await ValidateEducationFeeForm().run(
            dispatcher, load_tracker("education_student_id_given"), domain
        )
    finally:
        await runtime.stop_client()
    assert events == [SlotSet("student_id", None)]
    said = texts(dispatcher)
    assert "没有扣任何钱" in said[0] and "转人工" in said[1]


async def test_offer_reads_the_bill_back_and_asks_to_confirm(domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("education_bill_offered", pending_action=None)
    events = await ActionOfferEducationPayment().run(dispatcher, tracker, domain)
    assert events == [SlotSet("pending_action", "pay_education_bill")]
    assert texts(dispatcher) == [
        "查到了：相城区阳澄湖高级中学，2026年秋季学期。",
        "一共 2550.00 元。",
        "utter_confirm_education_payment",
    ]


async def test_yes_creates_one_payment_even_when_repeated(
    platform: None, sandbox: RunningSystem, domain: dict
) -> None:
    codes = []
    for _ in range(2):  # a retried "对" of the same conversation reuses the Idempotency-Key
        dispatcher = CollectingDispatcher()
        events = await ActionConfirmPending().run(
            dispatcher, load_tracker("education_bill_offered"), domain
        )
        assert events == CLEARED
        said = texts(dispatcher)
        assert said[0] == "缴费单已生成，金额 2550.00 元。"
        assert said[2] == "utter_pay_code_howto"
        codes.append(said[1])
    assert codes[0] == codes[1] and codes[0].startswith("缴费码是 ")


async def test_yes_on_a_bill_paid_elsewhere_says_so(
    platform: None, sandbox: RunningSystem, domain: dict
) -> None:
    with sandbox.platform() as client:
        client.post(
            "/v1/payments",
            json={"bill_id": "EB202600001", "payer": "self"},
            headers={"Idempotency-Key": "paid-at-the-counter"},
        ).raise_for_status()
    dispatcher = CollectingDispatcher()
    events = await ActionConfirmPending().run(
        dispatcher, load_tracker("education_bill_offered"), domain
    )
    assert events == CLEARED
    assert texts(dispatcher)[0] == "这笔费用已经缴过了，不用再缴。"


async def test_no_drops_the_pending_payment(domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionDeclinePending().run(
        dispatcher, load_tracker("education_bill_offered"), domain
    )
    assert events == CLEARED
    assert texts(dispatcher) == ["utter_declined"]


async def test_yes_or_no_with_nothing_pending_asks_what_to_do(domain: dict) -> None:
    for action in (ActionConfirmPending(), ActionDeclinePending()):
        dispatcher = CollectingDispatcher()
        tracker = load_tracker("education_bill_offered", pending_action=None)
        assert await action.run(dispatcher, tracker, domain) == []
        assert texts(dispatcher) == ["utter_how_can_i_help"]
