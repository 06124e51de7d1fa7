"""``GET /v1/education/bills`` against the seeded data (``routers/education.py``)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sandbox_testkit import assert_error

from platform_sandbox.masking import mask_name
from platform_sandbox.seed import DEFAULT_SEED, DEMO_STUDENT_ID
from platform_sandbox.synthetic import generate_dataset
from platform_sandbox.synthetic.education import term_of
from tests import days

pytestmark = pytest.mark.integration


def test_demo_student_has_exactly_one_unpaid_bill(client: httpx.Client) -> None:
    response = client.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID})
    assert response.status_code == 200
    bills = response.json()
    due = date.fromisoformat(bills[0].pop("due_date"))
    assert bills == [
        {
            "bill_id": "EB202600001",
            "student_name_masked": "侯*钰",
            "school": "相城区阳澄湖高级中学",
            "term": term_of(days.today()),
            "items": [{"name": "学费", "amount": 1800.0}, {"name": "住宿费", "amount": 750.0}],
            "total": 2550.0,
            "status": "unpaid",
        }
    ]
    assert timedelta(days=9) <= due - days.today() <= timedelta(days=30)


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2026, 12, 5), "2026年秋季学期"),
        (date(2026, 9, 1), "2026年秋季学期"),
        (date(2027, 1, 31), "2026年秋季学期"),
        (date(2027, 2, 1), "2027年春季学期"),
        (date(2027, 8, 31), "2027年春季学期"),
    ],
)
def test_the_term_is_the_one_the_day_falls_in(day: date, term: str) -> None:
    assert term_of(day) == term


def test_every_seeded_student_gets_their_bills(client: httpx.Client) -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    for student in dataset.students:
        response = client.get("/v1/education/bills", params={"student_id": student.student_id})
        assert response.status_code == 200
        served = {bill["bill_id"]: bill for bill in response.json()}
        expected = dataset.bills_of(student.student_id)
        assert set(served) == {bill.bill_id for bill in expected}
        for bill in expected:
            got = served[bill.bill_id]
            assert got["student_name_masked"] == mask_name(student.name)
            assert got["school"] == bill.school
            assert got["status"] == bill.status
            assert got["due_date"] == bill.due_date.isoformat()
            assert round(got["total"] * 100) == bill.total_fen
            assert [(item["name"], round(item["amount"] * 100)) for item in got["items"]] == [
                (item.name, item.amount_fen) for item in bill.items
            ]


def test_amounts_are_yuan_numbers_with_at_most_two_decimals(client: httpx.Client) -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    student = next(s for s in dataset.students if len(dataset.bills_of(s.student_id)) == 3)
    bills = client.get("/v1/education/bills", params={"student_id": student.student_id}).json()
    assert len(bills) == 3
    for bill in bills:
        amounts = [item["amount"] for item in bill["items"]]
        for value in [*amounts, bill["total"]]:
            assert isinstance(value, float | int)
            assert round(value, 2) == value
        assert round(sum(amounts), 2) == bill["total"]


def test_bills_are_ordered_by_due_date(client: httpx.Client) -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    for student in dataset.students:
        bills = client.get("/v1/education/bills", params={"student_id": student.student_id})
        due = [bill["due_date"] for bill in bills.json()]
        assert due == sorted(due)


def test_unknown_student_gets_an_empty_list(client: httpx.Client) -> None:
    known = {s.student_id for s in generate_dataset(DEFAULT_SEED, days.today()).students}
    unknown = next(str(n) for n in range(1000000000, 1000000100) if str(n) not in known)
    response = client.get("/v1/education/bills", params={"student_id": unknown})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "student_id",
    [
        "123",
        "12345678901",
        "abcdefghij",
        "12345 6789",
        "１２３４５６７８９０",  # full-width digits
        "١٢٣٤٥٦٧٨٩٠",  # Arabic-Indic digits
        "1234567890\n",
        "",
        "-123456789",
    ],
)
def test_malformed_student_id_is_invalid_student_id(client: httpx.Client, student_id: str) -> None:
    response = client.get("/v1/education/bills", params={"student_id": student_id})
    assert_error(response, 422, "invalid_student_id")


def test_missing_student_id_is_invalid_student_id(client: httpx.Client) -> None:
    assert_error(client.get("/v1/education/bills"), 422, "invalid_student_id")
