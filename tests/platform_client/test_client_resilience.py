"""The client under injected faults: timeouts, read retries, the circuit breaker, writes that
are never done twice, 429 handling (``platform_client/client.py``, ``breaker.py``)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from platform_client import BreakerState, CircuitOpen, PlatformUnavailable
from platform_client.client import IDEMPOTENCY_HEADER
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.platform_client.kit import CountingTransport, platform_client, set_faults
from tests.platform_sandbox.sandbox_testkit import RunningSandbox, free_port

pytestmark = pytest.mark.integration

DEMO_BILL = "EB202600001"


async def test_a_slow_platform_times_out_at_the_read_timeout(sandbox: RunningSandbox) -> None:
    set_faults(sandbox, latency_ms=2000)
    async with platform_client(sandbox.base_url, read_timeout_s=0.3, attempts=1) as client:
        started = time.perf_counter()
        with pytest.raises(PlatformUnavailable):
            await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert time.perf_counter() - started < 1.0


async def test_reads_are_retried_and_writes_are_not(sandbox: RunningSandbox) -> None:
    set_faults(sandbox, error_rate=1.0)
    transport = CountingTransport()
    async with platform_client(sandbox.base_url, transport=transport, attempts=3) as client:
        with pytest.raises(PlatformUnavailable):
            await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert len(transport.requests) == 3
        transport.requests.clear()
        with pytest.raises(PlatformUnavailable) as failed:
            await client.create_payment(bill_id=DEMO_BILL, idempotency_key="w-1")
        assert len(transport.requests) == 1
        assert failed.value.idempotency_key == "w-1"


async def test_a_read_succeeds_when_the_platform_recovers_during_backoff(
    sandbox: RunningSandbox,
) -> None:
    set_faults(sandbox, error_rate=1.0)
    transport = CountingTransport()
    async with platform_client(
        sandbox.base_url, transport=transport, attempts=3, backoff_s=0.4
    ) as client:
        call = asyncio.create_task(client.education_bills(student_id=DEMO_STUDENT_ID))
        while not transport.statuses:  # the first try has been answered (503) …
            await asyncio.sleep(0.01)
        await asyncio.to_thread(set_faults, sandbox)  # … and the platform recovers in backoff
        bills = await call
    assert [b.bill_id for b in bills] == [DEMO_BILL]
    assert transport.statuses == [503, 200]


async def test_a_timed_out_write_retried_with_its_key_is_done_once(
    sandbox: RunningSandbox,
) -> None:
    set_faults(sandbox, latency_ms=800)
    async with platform_client(sandbox.base_url, read_timeout_s=0.3, attempts=1) as client:
        with pytest.raises(PlatformUnavailable) as timed_out:
            await client.create_payment(bill_id=DEMO_BILL)
        key = timed_out.value.idempotency_key
        assert key
        await asyncio.sleep(1.0)  # the platform finishes the first request meanwhile
        set_faults(sandbox)
        payment = await client.create_payment(bill_id=DEMO_BILL, idempotency_key=key)
        again = await client.create_payment(bill_id=DEMO_BILL, idempotency_key=key)
    assert again == payment
    rows = sandbox.query("SELECT payment_id FROM payments WHERE bill_id = ?", (DEMO_BILL,))
    assert rows == [(payment.payment_id,)]


async def test_a_write_that_never_left_is_retried_with_the_same_key() -> None:
    transport = CountingTransport()
    async with platform_client(
        f"http://127.0.0.1:{free_port()}", transport=transport, attempts=3
    ) as client:
        with pytest.raises(PlatformUnavailable) as refused:
            await client.create_payment(bill_id=DEMO_BILL)
    assert refused.value.reached_platform is False
    keys = {request.headers[IDEMPOTENCY_HEADER] for request in transport.requests}
    assert len(transport.requests) == 3 and keys == {refused.value.idempotency_key}


async def test_the_breaker_opens_fails_fast_and_closes_after_the_cool_down(
    sandbox: RunningSandbox,
) -> None:
    set_faults(sandbox, error_rate=1.0)
    transport = CountingTransport()
    async with platform_client(
        sandbox.base_url, transport=transport, attempts=1, failure_threshold=3, cooldown_s=0.5
    ) as client:
        for _ in range(3):
            with pytest.raises(PlatformUnavailable):
                await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert client.breaker_state is BreakerState.OPEN
        sent = len(transport.requests)
        started = time.perf_counter()
        with pytest.raises(CircuitOpen):
            await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert time.perf_counter() - started < 0.2
        assert len(transport.requests) == sent  # failed fast, nothing sent
        # Still down after the cool-down: the one trial call fails and the breaker reopens.
        await asyncio.sleep(0.6)
        assert client.breaker_state is BreakerState.HALF_OPEN
        with pytest.raises(PlatformUnavailable):
            await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert client.breaker_state is BreakerState.OPEN
        # Back up: after the next cool-down the trial succeeds and the breaker closes.
        set_faults(sandbox)
        await asyncio.sleep(0.6)
        bills = await client.education_bills(student_id=DEMO_STUDENT_ID)
        assert [b.bill_id for b in bills] == [DEMO_BILL]
        assert client.breaker_state is BreakerState.CLOSED


async def test_contract_errors_do_not_open_the_breaker(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url, failure_threshold=2) as client:
        for _ in range(4):
            with pytest.raises(Exception) as refused:
                await client.create_payment(bill_id="EB209999999")
            assert refused.value.code == "bill_not_found"  # type: ignore[attr-defined]
        assert client.breaker_state is BreakerState.CLOSED


async def test_rate_limited_reads_wait_and_retry(limited_sandbox: RunningSandbox) -> None:
    transport = CountingTransport()
    async with platform_client(limited_sandbox.base_url, transport=transport) as client:
        results = await asyncio.gather(
            *(client.education_bills(student_id=DEMO_STUDENT_ID) for _ in range(3))
        )
    assert all([b.bill_id for b in bills] == [DEMO_BILL] for bills in results)
    # Bursts of 2, then 1/s: the third call was refused once (429, Retry-After 1), waited
    # and went through.
    assert sorted(transport.statuses) == [200, 200, 200, 429]


async def test_concurrent_payments_through_one_client_pay_once(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        outcomes = await asyncio.gather(
            *(client.create_payment(bill_id=DEMO_BILL, idempotency_key="same") for _ in range(20)),
            return_exceptions=True,
        )
    assert all(not isinstance(o, BaseException) for o in outcomes)
    assert len({o.payment_id for o in outcomes}) == 1  # type: ignore[union-attr]
    assert sandbox.query("SELECT COUNT(*) FROM payments WHERE bill_id = ?", (DEMO_BILL,)) == [(1,)]


def test_free_port_helper_is_closed() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{free_port()}/", timeout=1)
