"""Pension certification and payments, medical insurance (``routers/pension.py``,
``routers/medical.py``)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sandbox_testkit import assert_error, identify

from platform_sandbox.seed import (
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_CERTIFICATION_OVERDUE,
    DEMO_MEDICAL_SUSPENDED,
    DEMO_UNDER_60,
    DEMO_UNDER_80,
)
from tests import days

pytestmark = pytest.mark.integration

METHODS = ["kiosk_face", "video", "home_visit", "agency_point"]


@pytest.mark.parametrize(
    ("citizen", "status"),
    [
        (DEMO_ALLOWANCE_ELIGIBLE, "due"),
        (DEMO_UNDER_80, "done"),
        (DEMO_CERTIFICATION_OVERDUE, "overdue"),
    ],
)
def test_certification_states_of_the_demo_citizens(
    client: httpx.Client, citizen: object, status: str
) -> None:
    body = client.get("/v1/pension/certification", headers=identify(client, citizen)).json()  # type: ignore[arg-type]
    assert body["status"] == status
    assert body["methods"] == METHODS
    due = dt.date.fromisoformat(body["due_date"])
    last = dt.date.fromisoformat(body["last_done_at"])
    assert (due - last).days in (365, 366)
    today = days.today()
    assert (due < today) == (status == "overdue")
    assert (last <= today) if status != "due" else (due > today)


def test_certifying_by_face_makes_it_done_until_next_year(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    response = client.post(
        "/v1/pension/certification", json={"method": "kiosk_face"}, headers=headers
    )
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["status"] == "done"
    assert record["record_id"].startswith("pc_")
    state = client.get("/v1/pension/certification", headers=headers).json()
    assert state["status"] == "done"
    assert state["due_date"] == record["next_due_date"]
    assert dt.date.fromisoformat(record["next_due_date"]) > dt.date.today()
    again = client.post("/v1/pension/certification", json={"method": "video"}, headers=headers)
    assert_error(again, 409, "certification_already_done")


@pytest.mark.parametrize("method", ["home_visit", "agency_point"])
def test_a_visit_is_scheduled_and_the_check_stays_open(client: httpx.Client, method: str) -> None:
    headers = identify(client, DEMO_CERTIFICATION_OVERDUE)
    record = client.post(
        "/v1/pension/certification", json={"method": method}, headers=headers
    ).json()
    assert record["status"] == "scheduled"
    assert client.get("/v1/pension/certification", headers=headers).json()["status"] == "overdue"


def test_certification_errors(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    assert_error(
        client.post("/v1/pension/certification", json={"method": "fax"}, headers=headers),
        422,
        "invalid_certification_method",
    )
    young = identify(client, DEMO_UNDER_60)
    assert_error(client.get("/v1/pension/certification", headers=young), 404, "not_a_pensioner")
    assert_error(
        client.post("/v1/pension/certification", json={"method": "video"}, headers=young),
        404,
        "not_a_pensioner",
    )
    assert_error(client.get("/v1/pension/payments", headers=young), 404, "not_a_pensioner")


def test_pension_payments_newest_first_with_the_bank_masked(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    payments = client.get("/v1/pension/payments", headers=headers).json()
    assert [p["month"] for p in payments] == days.months_before(days.today(), 6)
    for payment in payments:
        assert payment["amount"] > 1000
        assert payment["month"] == payment["paid_on"][:7]
        assert dt.date.fromisoformat(payment["paid_on"]).weekday() < 5
        assert payment["bank_masked"].startswith("6222") and "*" in payment["bank_masked"]
        assert payment["bank_full"].endswith(payment["bank_masked"][-4:])
    assert len(client.get("/v1/pension/payments?months=24", headers=headers).json()) == 24
    assert_error(
        client.get("/v1/pension/payments?months=25", headers=headers), 422, "invalid_months"
    )
    assert_error(
        client.get("/v1/pension/payments?months=0", headers=headers), 422, "invalid_months"
    )


def test_pension_rises_in_july(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UNDER_80)
    payments = client.get("/v1/pension/payments?months=24", headers=headers).json()
    by_month = {p["month"]: p["amount"] for p in payments}
    months = days.months_before(days.today(), 24)
    july = next(m for m in months[:-1] if m.endswith("-07"))  # the latest July with its June
    year = july[:4]
    assert by_month[july] > by_month[f"{year}-06"]
    if f"{year}-01" in by_month:
        assert by_month[f"{year}-06"] == by_month[f"{year}-01"]


def test_medical_account(client: httpx.Client) -> None:
    active = client.get(
        "/v1/medical-insurance/account", headers=identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    ).json()
    assert set(active) == {"balance", "paid_until", "status", "recent_claims"}
    assert active["status"] == "active"
    assert active["paid_until"] == f"{days.today().year}-12-31"
    dates = [c["date"] for c in active["recent_claims"]]
    assert dates == sorted(dates, reverse=True) and len(dates) <= 5
    for claim in active["recent_claims"]:
        assert 0 < claim["reimbursed"] < claim["total"]
    suspended = client.get(
        "/v1/medical-insurance/account", headers=identify(client, DEMO_MEDICAL_SUSPENDED)
    ).json()
    assert suspended["status"] == "suspended"
    assert suspended["paid_until"] == f"{days.today().year - 1}-12-31"
    assert all(c["reimbursed"] == 0 for c in suspended["recent_claims"])
