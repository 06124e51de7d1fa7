"""Actions against a platform whose answers have the wrong shape (a real HTTP server answering
fixed bad bodies, ``tests/platform_client/malformed.py``): the person hears the Chinese
explanation of ``unexpected_response`` and the conversation goes on; nothing crashes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import identity, runtime
from actions.config import ActionConfig
from actions.explain import explain
from actions.service_form import ActionCompleteService, ValidateServiceForm
from actions.services import by_code
from platform_client import UnexpectedResponse
from tests import days
from tests.actions.conftest import form_turn, load_tracker, said
from tests.platform_client.malformed import (
    PERSON_ID,
    PERSON_NAME,
    PERSON_PHONE,
    Answer,
    MalformedPlatform,
    html_answer,
    json_answer,
    malformed_platform,
)

pytestmark = pytest.mark.integration

EXPLAINED = explain(UnexpectedResponse("", 200))
"""What the person hears about an answer of the wrong shape."""
BILL = {
    "bill_id": "EB202600001",
    "school": "相城区阳澄湖高级中学",
    "term": "2026年春季学期",
    "items": [],
    "total": 2550.0,
    "status": "unpaid",
    "due_date": "2026-03-01",
}
BAD_BILLS = {
    "missing field": json_answer([{k: v for k, v in BILL.items() if k != "total"}]),
    "wrong type": json_answer([{**BILL, "total": "两千五百五十"}]),
    "not JSON": html_answer(),
    "empty body": Answer(b""),
    "object for a list": json_answer({"bills": [BILL]}),
}


@pytest.fixture(scope="module")
def stand_in() -> Iterator[MalformedPlatform]:
    """The stand-in platform, one per module."""
    with malformed_platform() as platform:
        yield platform


@pytest.fixture
async def bad(stand_in: MalformedPlatform) -> AsyncIterator[MalformedPlatform]:
    """The action server's platform client, started against the stand-in as at server start."""
    stand_in.reset()
    runtime.start_client(
        ActionConfig(
            platform_url=stand_in.base_url, platform_client_key="test-key", today=days.today()
        )
    )
    yield stand_in
    await runtime.stop_client()


@pytest.mark.parametrize("answer", BAD_BILLS.values(), ids=BAD_BILLS.keys())
async def test_a_bad_bill_list_is_explained_and_the_number_asked_again(
    answer: Answer, bad: MalformedPlatform, domain: dict[str, Any]
) -> None:
    bad.answer("GET", "/v1/education/bills", answer)
    dispatcher = CollectingDispatcher()
    events = await ValidateServiceForm().run(
        dispatcher, load_tracker("service_student_id_given"), domain
    )
    assert [m["text"] for m in dispatcher.messages] == EXPLAINED
    assert SlotSet("student_id", None) in events
    assert events[-1] == SlotSet("requested_slot", "student_id")


async def test_a_payment_answered_with_a_list_is_explained(
    bad: MalformedPlatform, domain: dict[str, Any]
) -> None:
    bad.answer("POST", "/v1/payments", json_answer([{"payment_id": "pay_1"}]))
    bill = {"bill_id": "EB202600001", "what": "学费和住宿费", "amount": "2550.00"}
    slots = {
        "bill_id": [bill],
        "bill_total": "2550.00",
        "education_confirmed": True,
        "requested_slot": None,
    }
    dispatcher = CollectingDispatcher()
    await ActionCompleteService().run(
        dispatcher, load_tracker("service_student_id_given", **slots), domain
    )
    assert [m["text"] for m in dispatcher.messages][:2] == EXPLAINED
    assert bad.requests_to("/v1/payments") == 1


async def test_a_citizen_without_an_age_is_explained_and_verification_starts_over(
    bad: MalformedPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    pension = by_code("pension_certification")
    assert pension is not None
    citizen = {"citizen_id": "c1", "name": PERSON_NAME, "id_number_full": PERSON_ID}
    bad.answer(
        "POST",
        "/v1/identity/verifications/v_1/confirm",
        json_answer({"citizen_token": "tok-1", "citizen": {**citizen, "phone_full": PERSON_PHONE}}),
    )
    turn = form_turn(
        {"verification_id": "v_1", "verification_phone": "139****5678"},
        text="一二三四五六",
        sender="malformed-test",
        service="pension_certification",
    )
    result = await identity.validate("sms_code", "一二三四五六", turn, pension)
    assert said(turn) == EXPLAINED
    assert result is not None and result["sms_code"] is None and result["id_number"] is None
    assert "citizen.age:value_error.missing" in caplog.text
    for secret in (PERSON_NAME, PERSON_ID, PERSON_PHONE, "tok-1"):
        assert secret not in caplog.text
