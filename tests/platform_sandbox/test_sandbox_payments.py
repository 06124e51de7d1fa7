"""``POST /v1/payments`` and ``GET /v1/payments/{id}`` (``routers/payments.py``)."""

from __future__ import annotations

import re

import httpx
import pytest
from sandbox_testkit import RunningSandbox, assert_error

from platform_sandbox.seed import DEFAULT_SEED
from platform_sandbox.synthetic import generate_dataset
from tests import days

pytestmark = pytest.mark.integration

DEMO_BILL = "EB202600001"  # the demo student's bill, 2550.00 yuan


def _seeded_bill(status: str) -> str:
    return next(
        b.bill_id for b in generate_dataset(DEFAULT_SEED, days.today()).bills if b.status == status
    )


def test_creating_a_payment_answers_a_pending_payment_with_a_pay_code(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    response = client.post(
        "/v1/payments",
        json={"bill_id": DEMO_BILL, "payer": "family", "notify_phone": "13912345678"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"payment_id", "amount", "status", "pay_code"}
    assert body["amount"] == 2550.0
    assert body["status"] == "pending"
    assert re.fullmatch(r"[0-9]{8}", body["pay_code"])
    rows = sandbox.query(
        "SELECT payer, notify_phone, amount_fen, status FROM payments WHERE payment_id = ?",
        (body["payment_id"],),
    )
    assert rows == [("family", "13912345678", 255000, "pending")]


def test_payment_ids_and_pay_codes_differ_between_payments(client: httpx.Client) -> None:
    unpaid = [
        b.bill_id
        for b in generate_dataset(DEFAULT_SEED, days.today()).bills
        if b.status == "unpaid"
    ][:5]
    created = [client.post("/v1/payments", json={"bill_id": b, "payer": "self"}) for b in unpaid]
    assert [r.status_code for r in created] == [201] * 5
    assert len({r.json()["payment_id"] for r in created}) == 5
    assert len({r.json()["pay_code"] for r in created}) == 5


def test_payment_status_before_and_after_completion(client: httpx.Client) -> None:
    payment = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}).json()
    path = f"/v1/payments/{payment['payment_id']}"

    before = client.get(path)
    assert before.status_code == 200
    assert before.json() == {
        "payment_id": payment["payment_id"],
        "bill_id": DEMO_BILL,
        "amount": 2550.0,
        "status": "pending",
    }

    completed = client.post(f"/v1/sandbox/payments/{payment['payment_id']}/complete")
    assert completed.status_code == 200

    after = client.get(path).json()
    assert after["status"] == "paid"
    assert re.fullmatch(r"2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", after["paid_at"])
    assert re.fullmatch(r"R\d{8}-[0-9A-F]{8}", after["receipt_no"])
    assert after == completed.json()

    bills = client.get("/v1/education/bills", params={"student_id": "7320291068"}).json()
    assert [bill["status"] for bill in bills] == ["paid"]


def test_completing_twice_keeps_the_first_receipt(client: httpx.Client) -> None:
    payment = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}).json()
    first = client.post(f"/v1/sandbox/payments/{payment['payment_id']}/complete").json()
    second = client.post(f"/v1/sandbox/payments/{payment['payment_id']}/complete")
    assert second.status_code == 200
    assert second.json() == first


def test_unknown_bill_is_bill_not_found(client: httpx.Client) -> None:
    response = client.post("/v1/payments", json={"bill_id": "EB209999999", "payer": "self"})
    assert_error(response, 404, "bill_not_found")


def test_seeded_paid_bill_is_bill_already_paid(client: httpx.Client) -> None:
    response = client.post("/v1/payments", json={"bill_id": _seeded_bill("paid"), "payer": "self"})
    assert_error(response, 409, "bill_already_paid")


def test_bill_with_a_pending_payment_is_taken(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    first = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"})
    assert first.status_code == 201
    second = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "family"})
    assert_error(second, 409, "bill_already_paid", extra=("pending_payment",))
    rows = sandbox.query("SELECT COUNT(*) FROM payments WHERE bill_id = ?", (DEMO_BILL,))
    assert rows == [(1,)]


def test_a_pending_payment_comes_back_with_its_pay_code(client: httpx.Client) -> None:
    """CONTRACT.md: ``bill_already_paid`` of a bill whose payment is pending carries it."""
    first = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}).json()
    second = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "family"})
    error = second.json()["error"]
    assert "还没有付款" in error["message"]
    pending = error["pending_payment"]
    assert pending == {
        "payment_id": first["payment_id"],
        "amount": 2550.0,
        "status": "pending",
        "pay_code": first["pay_code"],
        "expires_at": pending["expires_at"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", pending["expires_at"])
    state = client.get(f"/v1/payments/{first['payment_id']}").json()
    assert state["status"] == "pending"


def test_bill_paid_through_the_sandbox_is_bill_already_paid(client: httpx.Client) -> None:
    payment = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}).json()
    client.post(f"/v1/sandbox/payments/{payment['payment_id']}/complete")
    again = client.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"})
    assert_error(again, 409, "bill_already_paid")
    assert "pending_payment" not in again.json()["error"]  # paid: nothing left to pay


def test_seeded_payment_is_readable(client: httpx.Client) -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    seeded = dataset.payments[0]
    body = client.get(f"/v1/payments/{seeded.payment_id}").json()
    assert body["status"] == "paid"
    assert body["bill_id"] == seeded.bill_id
    assert round(body["amount"] * 100) == seeded.amount_fen
    assert body["receipt_no"] == seeded.receipt_no


def test_unknown_payment_is_payment_not_found(client: httpx.Client) -> None:
    assert_error(client.get("/v1/payments/pay_0000000000000000"), 404, "payment_not_found")


def test_completing_an_unknown_payment_is_payment_not_found(client: httpx.Client) -> None:
    response = client.post("/v1/sandbox/payments/pay_0000000000000000/complete")
    assert_error(response, 404, "payment_not_found")
