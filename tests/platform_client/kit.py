"""Helpers of the client tests: build clients, count what goes over the wire, drive the
sandbox helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from platform_client import CircuitBreaker, PlatformClient, RetryPolicy
from tests.platform_sandbox.sandbox_testkit import AUTH, CLIENT_KEY, RunningSandbox


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real transport, recording every request it is asked to send."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []
        """Statuses of the responses received, in order."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await super().handle_async_request(request)
        self.statuses.append(response.status_code)
        return response


@asynccontextmanager
async def platform_client(
    base_url: str,
    *,
    read_timeout_s: float = 3.0,
    attempts: int = 3,
    backoff_s: float = 0.05,
    failure_threshold: int = 5,
    cooldown_s: float = 30.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[PlatformClient]:
    """A client of ``base_url`` with the test key, closed on exit."""
    client = PlatformClient(
        base_url,
        CLIENT_KEY,
        connect_timeout_s=1.0,
        read_timeout_s=read_timeout_s,
        transport=transport,
        retry=RetryPolicy(attempts=attempts, backoff_s=backoff_s, backoff_max_s=0.5),
        breaker=CircuitBreaker(failure_threshold=failure_threshold, cooldown_s=cooldown_s),
    )
    try:
        yield client
    finally:
        await client.aclose()


def set_faults(sandbox: RunningSandbox, latency_ms: int = 0, error_rate: float = 0.0) -> None:
    """Inject faults into the sandbox (zeros switch them off)."""
    response = httpx.post(
        f"{sandbox.base_url}/v1/sandbox/faults",
        json={"latency_ms": latency_ms, "error_rate": error_rate},
        headers=AUTH,
        timeout=10,
    )
    assert response.status_code == 200, response.text


def sms_code(sandbox: RunningSandbox, phone: str) -> str:
    """The last code the sandbox "sent" to ``phone``."""
    response = httpx.get(
        f"{sandbox.base_url}/v1/sandbox/sms", params={"phone": phone}, headers=AUTH, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["code"])
