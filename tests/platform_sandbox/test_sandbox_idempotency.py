"""``Idempotency-Key`` on ``POST /v1/payments`` (``idempotency.py``), also under concurrency."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sandbox_testkit import AUTH, SECOND_CLIENT_KEY, RunningSandbox, assert_error

pytestmark = pytest.mark.integration

DEMO_BILL = "EB202600001"
CONCURRENT_REQUESTS = 20


def _payments_of(sandbox: RunningSandbox, bill_id: str) -> int:
    rows = sandbox.query("SELECT COUNT(*) FROM payments WHERE bill_id = ?", (bill_id,))
    return int(rows[0][0])


def test_same_key_and_body_replays_the_first_response(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    body = {"bill_id": DEMO_BILL, "payer": "family", "notify_phone": "13812345678"}
    headers = {"Idempotency-Key": "replay-1"}
    first = client.post("/v1/payments", json=body, headers=headers)
    second = client.post("/v1/payments", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert _payments_of(sandbox, DEMO_BILL) == 1


def test_replay_ignores_key_order_and_whitespace_of_the_body(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "replay-2", "Content-Type": "application/json"}
    first = client.post(
        "/v1/payments", content=b'{"bill_id":"EB202600001","payer":"self"}', headers=headers
    )
    second = client.post(
        "/v1/payments",
        content=b'{ "payer": "self",\n  "bill_id": "EB202600001" }',
        headers=headers,
    )
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()


def test_same_key_with_another_body_is_idempotency_key_reused(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    headers = {"Idempotency-Key": "reuse-1"}
    first = client.post(
        "/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}, headers=headers
    )
    assert first.status_code == 201
    other = client.post(
        "/v1/payments", json={"bill_id": DEMO_BILL, "payer": "family"}, headers=headers
    )
    assert_error(other, 422, "idempotency_key_reused")
    still_first = client.post(
        "/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}, headers=headers
    )
    assert still_first.json() == first.json()
    assert _payments_of(sandbox, DEMO_BILL) == 1


def test_an_error_result_is_replayed_too(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "error-1"}
    body = {"bill_id": "EB209999999", "payer": "self"}
    first = client.post("/v1/payments", json=body, headers=headers)
    second = client.post("/v1/payments", json=body, headers=headers)
    assert_error(first, 404, "bill_not_found")
    assert second.status_code == 404
    assert second.content == first.content


def test_keys_belong_to_one_calling_system(client: httpx.Client, sandbox: RunningSandbox) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    first = client.post(
        "/v1/payments", json={"bill_id": DEMO_BILL, "payer": "self"}, headers=headers
    )
    assert first.status_code == 201
    other_system = httpx.post(
        f"{sandbox.base_url}/v1/payments",
        json={"bill_id": DEMO_BILL, "payer": "self"},
        headers={"Authorization": f"Bearer {SECOND_CLIENT_KEY}", **headers},
        timeout=10,
    )
    # Not a replay of the first system's payment: the bill is simply taken.
    assert_error(other_system, 409, "bill_already_paid", extra=("pending_payment",))


@pytest.mark.parametrize("key", ["", "k" * 256])
def test_malformed_key_is_invalid_idempotency_key(client: httpx.Client, key: str) -> None:
    response = client.post(
        "/v1/payments",
        json={"bill_id": DEMO_BILL, "payer": "self"},
        headers={"Idempotency-Key": key},
    )
    assert_error(response, 422, "invalid_idempotency_key")


async def _post_concurrently(
    base_url: str, body: dict[str, str], keys: list[str]
) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as http:
        return await asyncio.gather(
            *(http.post("/v1/payments", json=body, headers={"Idempotency-Key": k}) for k in keys)
        )


def test_concurrent_requests_with_one_key_create_one_payment(sandbox: RunningSandbox) -> None:
    body = {"bill_id": DEMO_BILL, "payer": "self"}
    responses = asyncio.run(
        _post_concurrently(sandbox.base_url, body, ["same-key"] * CONCURRENT_REQUESTS)
    )
    assert [r.status_code for r in responses] == [201] * CONCURRENT_REQUESTS
    assert len({r.content for r in responses}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 1
    assert _payments_of(sandbox, DEMO_BILL) == 1


def test_concurrent_requests_with_different_keys_pay_a_bill_once(sandbox: RunningSandbox) -> None:
    body = {"bill_id": DEMO_BILL, "payer": "self"}
    keys = [f"key-{n}" for n in range(CONCURRENT_REQUESTS)]
    responses = asyncio.run(_post_concurrently(sandbox.base_url, body, keys))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CONCURRENT_REQUESTS - 1)
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "bill_already_paid", extra=("pending_payment",))
    assert _payments_of(sandbox, DEMO_BILL) == 1


def test_concurrent_requests_without_keys_pay_a_bill_once(sandbox: RunningSandbox) -> None:
    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=sandbox.base_url, headers=AUTH, timeout=60) as http:
            body = {"bill_id": DEMO_BILL, "payer": "self"}
            return await asyncio.gather(
                *(http.post("/v1/payments", json=body) for _ in range(CONCURRENT_REQUESTS))
            )

    statuses = sorted(r.status_code for r in asyncio.run(post_all()))
    assert statuses == [201] + [409] * (CONCURRENT_REQUESTS - 1)
    assert _payments_of(sandbox, DEMO_BILL) == 1
