"""Health probe and client-key authentication (``platform_sandbox/auth.py``)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_testkit import CLIENT_KEY, SECOND_CLIENT_KEY, RunningSandbox, assert_error

from platform_sandbox.seed import DEMO_STUDENT_ID

pytestmark = pytest.mark.integration

BILLS = f"/v1/education/bills?student_id={DEMO_STUDENT_ID}"


def test_healthz_needs_no_key(anonymous: httpx.Client) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {b"Authorization": b"Bearer wrong-key"},
        {b"Authorization": f"Basic {CLIENT_KEY}".encode()},
        {b"Authorization": CLIENT_KEY.encode()},
        {b"Authorization": b"Bearer"},
        {b"Authorization": f"Bearer {CLIENT_KEY}x".encode()},
        {b"Authorization": "Bearer 密钥".encode()},
    ],
    ids=["missing", "wrong", "basic", "no-scheme", "empty", "prefix", "non-ascii"],
)
def test_v1_without_a_valid_key_is_401(
    anonymous: httpx.Client, headers: dict[bytes, bytes]
) -> None:
    response = anonymous.get(BILLS, headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/payments"),
        ("GET", "/v1/payments/pay_seed00000001"),
        ("POST", "/v1/sandbox/reset"),
        ("POST", "/v1/sandbox/payments/pay_seed00000001/complete"),
    ],
)
def test_every_v1_route_needs_the_key(anonymous: httpx.Client, method: str, path: str) -> None:
    response = anonymous.request(method, path, json={"bill_id": "EB202600001", "payer": "self"})
    assert_error(response, 401, "unauthorized")


def test_401_comes_before_validation(anonymous: httpx.Client) -> None:
    response = anonymous.get("/v1/education/bills?student_id=bad")
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("key", [CLIENT_KEY, SECOND_CLIENT_KEY])
def test_every_configured_key_is_accepted(sandbox: RunningSandbox, key: str) -> None:
    response = httpx.get(
        f"{sandbox.base_url}{BILLS}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert response.status_code == 200
    assert len(response.json()) == 1
