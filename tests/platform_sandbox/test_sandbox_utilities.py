"""Utility bills and paying them through ``/v1/payments`` (``routers/utilities.py``)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_testkit import assert_error, identify

from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE, DEMO_UTILITIES, DEMO_UTILITY_BILLS
from tests import days

pytestmark = pytest.mark.integration


def test_a_citizen_sees_the_bills_of_all_their_accounts(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UTILITIES)
    bills = client.get("/v1/utilities/bills", headers=headers).json()
    assert len(bills) == 9
    assert {b["type"] for b in bills} == {"water", "electricity", "gas"}
    unpaid = sorted(b["bill_id"] for b in bills if b["status"] == "unpaid")
    assert unpaid == list(DEMO_UTILITY_BILLS)
    for bill in bills:
        assert set(bill) == {
            "bill_id", "type", "account_masked", "account_full", "period", "amount", "status",
            "due_date",
        }  # fmt: skip
        assert bill["account_masked"].endswith(bill["account_full"][-4:])
        assert "*" in bill["account_masked"]
    water = [b for b in bills if b["type"] == "water"]
    assert [b["period"] for b in water] == days.months_before(days.today(), 3)
    only_gas = client.get("/v1/utilities/bills", params={"type": "gas"}, headers=headers).json()
    assert {b["type"] for b in only_gas} == {"gas"} and len(only_gas) == 3


def test_by_account_number_without_a_token_numbers_stay_masked(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UTILITIES)
    account = client.get("/v1/utilities/bills", headers=headers).json()[0]["account_full"]
    bills = client.get("/v1/utilities/bills", params={"account_number": account}).json()
    assert len(bills) == 3
    assert all("account_full" not in b for b in bills)
    # Another citizen's token does not reveal this account either.
    other = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    bills = client.get(
        "/v1/utilities/bills", params={"account_number": account}, headers=other
    ).json()
    assert all("account_full" not in b for b in bills)
    assert client.get("/v1/utilities/bills", params={"account_number": "9999999999"}).json() == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "invalid_account_number"),
        ({"account_number": "12ab"}, "invalid_account_number"),
        ({"account_number": "3140831426", "type": "coal"}, "invalid_utility_type"),
    ],
)
def test_utility_errors(client: httpx.Client, params: dict, code: str) -> None:
    assert_error(client.get("/v1/utilities/bills", params=params), 422, code)


def test_paying_a_utility_bill(client: httpx.Client) -> None:
    bill_id = DEMO_UTILITY_BILLS[1]
    headers = identify(client, DEMO_UTILITIES)
    payment = client.post(
        "/v1/payments",
        json={"bill_id": bill_id, "payer": "self"},
        headers={**headers, "Idempotency-Key": "ub-1"},
    )
    assert payment.status_code == 201, payment.text
    assert payment.json()["amount"] == 255.87
    client.post(f"/v1/sandbox/payments/{payment.json()['payment_id']}/complete")
    bills = client.get("/v1/utilities/bills", params={"type": "electricity"}, headers=headers)
    assert next(b for b in bills.json() if b["bill_id"] == bill_id)["status"] == "paid"
    again = client.post("/v1/payments", json={"bill_id": bill_id, "payer": "self"})
    assert_error(again, 409, "bill_already_paid")
