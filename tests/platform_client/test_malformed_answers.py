"""Answers of the wrong shape, from a real HTTP server that answers fixed bad bodies
(``tests/platform_client/malformed.py``): each one is the typed ``unexpected_response`` error,
asked for once (not retried), not held against the breaker, and logged with the route and the
place that is wrong, never with what the answer contains."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from platform_client import BreakerState, CitizenAuth, PlatformClient, UnexpectedResponse
from tests.platform_client.kit import platform_client
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

TOKEN = "tok-3f9a6c0e"
CITIZEN = {
    "citizen_id": "c000001",
    "name": PERSON_NAME,
    "masked_id": "110105********1238",
    "district": "姑苏区",
    "phone_masked": "139****5678",
    "id_number_full": PERSON_ID,
    "phone_full": PERSON_PHONE,
}
"""A citizen object without its ``age``."""
BILL = {
    "bill_id": "EB202600001",
    "student_name_masked": "王*英",
    "school": "相城区阳澄湖高级中学",
    "term": "2026年春季学期",
    "items": [{"name": "学费", "amount": 2550.0}],
    "total": 2550.0,
    "status": "unpaid",
    "due_date": "2026-03-01",
}
AUTH = CitizenAuth(citizen_token=TOKEN)
SECRETS = (PERSON_NAME, PERSON_ID, PERSON_PHONE, TOKEN, "阳澄湖", "网关维护中")
"""What the bad answers carry that no log line and no error message may repeat."""

Call = Callable[[PlatformClient], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    """A route, the bad answer it gets, the call that meets it, and what the log must name."""

    method: str
    path: str
    answer: Answer
    call: Call
    problem: str


CASES = {
    "missing field": Case(
        "POST",
        "/v1/identity/card-reads",
        json_answer({"citizen_token": TOKEN, "citizen": CITIZEN}),
        lambda c: c.read_card(id_number=PERSON_ID, name=PERSON_NAME, idempotency_key="card-1"),
        "problem=citizen.age:value_error.missing",
    ),
    "wrong type": Case(
        "GET",
        "/v1/education/bills",
        json_answer([{**BILL, "items": [{"name": "学费", "amount": "两千五"}]}]),
        lambda c: c.education_bills(student_id="7320291068"),
        "problem=0.items.0.amount:type_error.decimal",
    ),
    "null for a number": Case(
        "GET",
        "/v1/appointments/slots",
        json_answer([{"slot_id": "S1", "start": "09:00", "end": "10:00", "remaining": None}]),
        lambda c: c.slots(service_code="senior_card", point_id="AP01"),
        "problem=0.remaining:type_error.none.not_allowed",
    ),
    "not JSON": Case(
        "GET",
        "/v1/medical-insurance/account",
        html_answer(),
        lambda c: c.medical_account(citizen=AUTH),
        "content_type=text/html; charset=utf-8",
    ),
    "empty body": Case(
        "POST",
        "/v1/payments",
        Answer(b""),
        lambda c: c.create_payment(bill_id="EB202600001", idempotency_key="pay-1"),
        "bytes=0 problem=not_json",
    ),
    "list for an object": Case(
        "GET",
        "/v1/pension/certification",
        json_answer([{"status": "due", "due_date": "2026-06-30", "methods": ["video"]}]),
        lambda c: c.pension_certification(citizen=AUTH),
        "problem=(answer):type_error.dict",
    ),
    "object for a list": Case(
        "GET",
        "/v1/education/bills",
        json_answer({"bills": [BILL]}),
        lambda c: c.education_bills(citizen=AUTH),
        "problem=(answer):type_error.list",
    ),
    "4xx without the error body": Case(
        "POST",
        "/v1/complaints",
        html_answer(403),
        lambda c: c.file_complaint(category="suggestion", content=f"我是{PERSON_NAME}，多开窗口"),
        "status=403",
    ),
}


@pytest.fixture(scope="module")
def stand_in() -> Iterator[MalformedPlatform]:
    """The stand-in platform, one per module."""
    with malformed_platform() as platform:
        yield platform


@pytest.fixture
def bad(stand_in: MalformedPlatform) -> MalformedPlatform:
    """The stand-in with no answers and no requests yet."""
    stand_in.reset()
    return stand_in


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_an_answer_of_the_wrong_shape_is_unexpected_response(
    case: Case, bad: MalformedPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    bad.answer(case.method, case.path, case.answer)
    caplog.set_level(logging.WARNING, logger="platform_client.client")
    async with platform_client(bad.base_url, attempts=3) as client:
        with pytest.raises(UnexpectedResponse) as raised:
            await case.call(client)
        assert client.breaker_state is BreakerState.CLOSED
    error = raised.value
    assert error.code == "unexpected_response"
    assert error.status == case.answer.status
    assert bad.requests_to(case.path) == 1  # not retried, reads included
    if case.method == "POST":
        assert error.idempotency_key  # a later try with it does the work at most once
    (logged,) = [r.getMessage() for r in caplog.records if "unexpected_response" in r.getMessage()]
    assert f"method={case.method} path={case.path} status={case.answer.status}" in logged
    assert case.problem in logged
    for secret in SECRETS:
        assert secret not in caplog.text and secret not in str(error)


async def test_the_idempotency_key_of_a_write_is_on_the_error(bad: MalformedPlatform) -> None:
    bad.answer("POST", "/v1/payments", json_answer({"payment_id": "pay_1", "status": "pending"}))
    async with platform_client(bad.base_url) as client:
        with pytest.raises(UnexpectedResponse) as raised:
            await client.create_payment(bill_id="EB202600001", idempotency_key="pay-key-1")
    assert raised.value.idempotency_key == "pay-key-1"
    assert "amount:value_error.missing" in raised.value.message


async def test_malformed_answers_do_not_open_the_breaker(bad: MalformedPlatform) -> None:
    bad.answer("GET", "/v1/services", Answer(b"{not json"))
    bad.answer("GET", "/v1/education/bills", json_answer([BILL]))
    async with platform_client(bad.base_url, failure_threshold=2) as client:
        for _ in range(4):
            with pytest.raises(UnexpectedResponse):
                await client.services()
        assert client.breaker_state is BreakerState.CLOSED
        (bill,) = await client.education_bills(student_id="7320291068")  # other routes work
    assert bill.total == Decimal("2550.0") and bill.items[0].amount == Decimal("2550.0")
    assert bad.requests_to("/v1/services") == 4


async def test_extra_fields_and_left_out_optional_fields_are_fine(bad: MalformedPlatform) -> None:
    bad.answer(
        "POST",
        "/v1/appointments",
        json_answer({"appointment_id": "ap_1", "start": "2026-03-02T09:00", "new_field": [1]}),
    )
    async with platform_client(bad.base_url) as client:
        booked = await client.book_appointment(citizen=AUTH, slot_id="S1", service_code="x")
    assert (booked.point_name, booked.point_address, booked.confirmation_code) == ("", "", "")
