"""Expiry of codes, tokens and pay codes; rate limits; injected faults
(``middleware.py``, ``faults.py``, ``ratelimit.py``) — on the strict process (3-second
lifetimes, 2 requests/s in bursts of 5)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sandbox_testkit import CLIENT_KEY, RunningSandbox, assert_error, identify

from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE, DEMO_STUDENT_ID

pytestmark = pytest.mark.integration

CITIZEN = DEMO_ALLOWANCE_ELIGIBLE
TTL_S = 3


def test_codes_expire(strict: httpx.Client) -> None:
    started = strict.post(
        "/v1/identity/verifications", json={"name": CITIZEN.name, "id_number": CITIZEN.id_number}
    ).json()
    code = strict.get("/v1/sandbox/sms", params={"phone": CITIZEN.phone}).json()["code"]
    time.sleep(TTL_S + 0.5)
    response = strict.post(
        f"/v1/identity/verifications/{started['verification_id']}/confirm", json={"code": code}
    )
    assert_error(response, 410, "code_expired")


def test_tokens_expire(strict: httpx.Client) -> None:
    headers = identify(strict, CITIZEN)
    assert strict.get("/v1/certificates", headers=headers).status_code == 200
    time.sleep(TTL_S + 0.5)
    assert_error(strict.get("/v1/certificates", headers=headers), 401, "citizen_token_expired")


def _burst(base_url: str, key: str, count: int) -> list[httpx.Response]:
    """``count`` requests that arrive at once (the limit is 5 at once, then 2/s)."""

    async def send() -> list[httpx.Response]:
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
            return await asyncio.gather(*(http.get(BILLS) for _ in range(count)))

    return asyncio.run(send())


BILLS = f"/v1/education/bills?student_id={DEMO_STUDENT_ID}"


def test_past_the_rate_limit_is_429_with_retry_after(
    strict: httpx.Client, strict_process: RunningSandbox
) -> None:
    responses = _burst(strict_process.base_url, CLIENT_KEY, 12)
    statuses = sorted(r.status_code for r in responses)
    assert 5 <= statuses.count(200) <= 7 and statuses.count(429) >= 5, statuses
    limited = next(r for r in responses if r.status_code == 429)
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    # Helpers are never limited, and a reset clears the counters.
    assert strict.post("/v1/sandbox/reset").status_code == 200
    assert strict.get(BILLS).status_code == 200


def test_limits_are_per_client_key(strict: httpx.Client, strict_process: RunningSandbox) -> None:
    path = BILLS
    statuses = [r.status_code for r in _burst(strict_process.base_url, CLIENT_KEY, 12)]
    assert 429 in statuses
    other = httpx.get(
        f"{strict_process.base_url}{path}",
        headers={"Authorization": "Bearer second-client-key"},
        timeout=10,
    )
    assert other.status_code == 200


def test_injected_latency_and_errors(client: httpx.Client) -> None:
    path = BILLS
    assert client.post("/v1/sandbox/faults", json={"latency_ms": 300}).json() == {
        "latency_ms": 300,
        "error_rate": 0.0,
    }
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    assert time.perf_counter() - started >= 0.3
    client.post("/v1/sandbox/faults", json={"latency_ms": 0, "error_rate": 1.0})
    assert_error(client.get(path), 503, "service_unavailable")
    assert client.get("/v1/sandbox/faults").json() == {"latency_ms": 0, "error_rate": 1.0}
    assert client.get("/healthz").status_code == 200  # not faulted
    client.post("/v1/sandbox/faults", json={"error_rate": 0.5})
    statuses = {client.get(path).status_code for _ in range(40)}
    assert statuses == {200, 503}
    client.post("/v1/sandbox/reset")
    assert client.get("/v1/sandbox/faults").json() == {"latency_ms": 0, "error_rate": 0.0}


@pytest.mark.parametrize(
    "body", [{"latency_ms": -1}, {"latency_ms": 30001}, {"error_rate": 1.5}, {"error_rate": "x"}]
)
def test_fault_settings_are_checked(client: httpx.Client, body: dict) -> None:
    assert_error(client.post("/v1/sandbox/faults", json=body), 422, "invalid_faults")


def test_unpaid_pay_codes_expire_and_free_the_bill(strict: httpx.Client) -> None:
    body = {"bill_id": "EB202600001", "payer": "family"}
    payment = strict.post("/v1/payments", json=body).json()
    assert_error(
        strict.post("/v1/payments", json=body), 409, "bill_already_paid", extra=("pending_payment",)
    )
    time.sleep(TTL_S + 0.5)
    assert strict.get(f"/v1/payments/{payment['payment_id']}").json()["status"] == "expired"
    assert_error(
        strict.post(f"/v1/sandbox/payments/{payment['payment_id']}/complete"),
        409,
        "payment_not_pending",
    )
    again = strict.post("/v1/payments", json=body)
    assert again.status_code == 201
    assert strict.get(f"/v1/payments/{payment['payment_id']}").json()["status"] == "expired"
