"""Sandbox-only helpers: reset and their absence when disabled (``routers/sandbox.py``)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_testkit import AUTH, RunningSandbox, assert_error

from platform_sandbox.seed import DEFAULT_SEED, DEMO_STUDENT_ID
from platform_sandbox.synthetic import generate_dataset
from tests import days

pytestmark = pytest.mark.integration

DEMO_BILL = "EB202600001"


def test_reset_restores_the_seed(client: httpx.Client, sandbox: RunningSandbox) -> None:
    seed_rows = sandbox.query("SELECT COUNT(*) FROM payments")
    payment = client.post(
        "/v1/payments",
        json={"bill_id": DEMO_BILL, "payer": "self"},
        headers={"Idempotency-Key": "r"},
    ).json()
    client.post(f"/v1/sandbox/payments/{payment['payment_id']}/complete")
    paid = client.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).json()
    assert paid[0]["status"] == "paid"

    reset = client.post("/v1/sandbox/reset")
    assert reset.status_code == 200
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    assert reset.json() == {
        "seed": DEFAULT_SEED,
        "today": days.today().isoformat(),
        "students": len(dataset.students),
        "bills": len(dataset.bills),
        "citizens": len(dataset.citizens),
    }

    bills = client.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).json()
    assert [bill["status"] for bill in bills] == ["unpaid"]
    assert_error(client.get(f"/v1/payments/{payment['payment_id']}"), 404, "payment_not_found")
    assert sandbox.query("SELECT COUNT(*) FROM payments") == seed_rows
    assert sandbox.query("SELECT COUNT(*) FROM idempotency_records") == [(0,)]
    again = client.post(
        "/v1/payments",
        json={"bill_id": DEMO_BILL, "payer": "family"},
        headers={"Idempotency-Key": "r"},
    )
    assert again.status_code == 201  # the key was forgotten with the rest
    assert again.json()["payment_id"] != payment["payment_id"]


def test_reset_reloads_every_bill(client: httpx.Client, sandbox: RunningSandbox) -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    client.post("/v1/sandbox/reset")
    rows = sandbox.query("SELECT bill_id, status FROM bills ORDER BY bill_id")
    assert rows == sorted((bill.bill_id, bill.status) for bill in dataset.bills)


@pytest.mark.parametrize(
    "path", ["/v1/sandbox/reset", "/v1/sandbox/payments/pay_seed00000001/complete"]
)
def test_helpers_are_404_when_disabled(sandbox_without_helpers: RunningSandbox, path: str) -> None:
    response = httpx.post(f"{sandbox_without_helpers.base_url}{path}", headers=AUTH, timeout=10)
    assert_error(response, 404, "not_found")


def test_contract_routes_still_work_when_helpers_are_disabled(
    sandbox_without_helpers: RunningSandbox,
) -> None:
    response = httpx.get(
        f"{sandbox_without_helpers.base_url}/v1/education/bills",
        params={"student_id": DEMO_STUDENT_ID},
        headers=AUTH,
        timeout=10,
    )
    assert response.status_code == 200
    assert [bill["bill_id"] for bill in response.json()] == [DEMO_BILL]
