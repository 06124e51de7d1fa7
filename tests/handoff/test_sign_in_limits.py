"""Staff sign-in limits: delays per (name, address) that grow, a per-address limit over all
names, bounded memory, one store shared over Redis, and which address counts (the peer, or
``X-Forwarded-For`` from a trusted proxy only)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import httpx

from handoff.models import Role
from handoff.passwords import hash_password
from handoff.throttle import LoginLimits, LoginThrottle, MemoryThrottleStore, RedisThrottleStore
from tests.handoff.conftest import GatewayFactory, LocalGateway
from tests.handoff.kit import PASSWORD, unique
from tests.scale.test_scale_profile import REDIS, require_services


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def client_from(gateway: LocalGateway, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose connection comes from ``address``."""
    transport = httpx.ASGITransport(app=gateway.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        yield http


async def _account(gateway: LocalGateway) -> str:
    username = unique("sta")
    await gateway.runtime.staff.add(
        username=username,
        display_name="测试",
        role=Role.STAFF,
        district="甲区",
        password_hash=await hash_password(PASSWORD),
    )
    return username


async def _login(http: httpx.AsyncClient, username: str, password: str, **headers: str) -> int:
    response = await http.post(
        "/api/staff/login", json={"username": username, "password": password}, headers=headers
    )
    return response.status_code


async def test_a_flood_from_one_address_does_not_lock_the_name_elsewhere(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        username = await _account(gateway)
        async with client_from(gateway, "203.0.113.7") as attacker:
            codes = [await _login(attacker, username, "wrong-guess-1") for _ in range(10)]
            assert codes[:3] == [401] * 3 and set(codes[3:]) == {429}
            refused = await attacker.post(
                "/api/staff/login", json={"username": username, "password": PASSWORD}
            )
            # The right password during the delay is refused with the delay's coded error.
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "login_locked"
            assert refused.headers["Retry-After"] == "1"
            assert "1秒" in refused.json()["error"]["message"]
        async with client_from(gateway, "198.51.100.20") as colleague:
            assert await _login(colleague, username, PASSWORD) == 200
        failed = await gateway.runtime.audit.entries(action="staff.login_failed")
        assert {e.actor.client for e in failed} == {"203.0.113.7"}


async def test_delays_grow_double_and_stop_at_the_cap() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    delays = [await throttle.failed("wang", "10.0.0.1") for _ in range(15)]
    assert delays[:2] == [0.0, 0.0]
    assert delays[2:13] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert delays[13:] == [900, 900]
    assert await throttle.wait_s("wang", "10.0.0.1") == 900
    assert await throttle.wait_s("wang", "10.0.0.2") == 0  # another address: free
    clock.advance(899.5)
    assert await throttle.wait_s("WANG ", "10.0.0.1") == 0.5  # names are matched loosely
    clock.advance(0.5)
    assert await throttle.wait_s("wang", "10.0.0.1") == 0
    await throttle.succeeded("wang", "10.0.0.1")
    assert await throttle.failed("wang", "10.0.0.1") == 0  # a good sign-in starts over


async def test_password_spraying_from_one_address_is_slowed_over_all_names() -> None:
    throttle = LoginThrottle(limits=LoginLimits(address_free_failures=5), clock=FakeClock())
    delays = [await throttle.failed(f"name{i}", "10.0.0.9") for i in range(8)]
    assert delays == [0, 0, 0, 0, 1, 2, 4, 8]
    assert await throttle.wait_s("somebody-new", "10.0.0.9") == 8
    assert await throttle.wait_s("somebody-new", "10.0.0.10") == 0


async def test_memory_holds_at_most_max_entries() -> None:
    store = MemoryThrottleStore(max_entries=1000)
    throttle = LoginThrottle(store, clock=FakeClock())
    for i in range(20_000):
        await throttle.failed(f"name{i}", f"10.{i % 200}.0.1")
    assert len(store) == 1000
    # The busiest address's counter is used on every failure, so it is never the one dropped.
    for i in range(100):
        await throttle.failed(f"spray{i}", "10.9.9.9")
    assert len(store) == 1000
    assert await throttle.wait_s("anyone", "10.9.9.9") > 0


async def test_counters_are_forgotten_an_hour_after_the_last_failure() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(3):
        await throttle.failed("li", "10.0.0.1")
    clock.advance(3600)
    assert await throttle.failed("li", "10.0.0.1") == 0


async def test_two_gateways_share_the_counters_over_redis() -> None:
    require_services(REDIS)
    import redis.asyncio as aioredis

    clock = FakeClock()
    one = RedisThrottleStore.from_url(REDIS)
    two = RedisThrottleStore.from_url(REDIS)
    first, second = LoginThrottle(one, clock=clock), LoginThrottle(two, clock=clock)
    name = f"redis-{uuid.uuid4().hex}"
    here, there = (f"fd00::{uuid.uuid4().hex[:4]}:{n}" for n in (1, 2))
    try:
        for _ in range(2):
            assert await first.failed(name, here) == 0
        assert await second.failed(name, here) == 1  # the third failure, counted anywhere
        assert await first.wait_s(name, here) == 1
        assert await second.failed(name, here) == 2
        assert await first.wait_s(name, there) == 0
        # No name or address in Redis: only hashes, and every key expires.
        raw = aioredis.from_url(REDIS)
        keys = [k.decode() async for k in raw.scan_iter(match="banshi:login:*")]
        assert keys and not any(name in k or here in k for k in keys)
        assert all(0 < ttl <= 3600 for ttl in [await raw.ttl(k) for k in keys])
        await first.succeeded(name, here)
        assert await second.wait_s(name, here) == 0
        await raw.close()
    finally:
        for store in (one, two):
            await store.clear("addr:10.1.1.1")
            await store.close()


async def test_forwarded_for_counts_only_from_a_trusted_proxy(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:  # no trusted proxies: the header is ignored
        username = await _account(gateway)
        async with client_from(gateway, "203.0.113.7") as http:
            for i in range(3):
                forged = {"X-Forwarded-For": f"192.0.2.{i}"}
                assert await _login(http, username, "wrong-guess-1", **forged) == 401
            assert await _login(http, username, PASSWORD, **{"X-Forwarded-For": "192.0.2.99"}) == (
                429
            )
    async with make_gateway(trusted_proxies=("127.0.0.1", "10.0.0.0/8")) as gateway:
        username = await _account(gateway)
        async with client_from(gateway, "127.0.0.1") as proxy:
            via = {"X-Forwarded-For": "198.51.100.1, 10.2.3.4"}  # the client, then our proxy
            for _ in range(3):
                assert await _login(proxy, username, "wrong-guess-1", **via) == 401
            assert await _login(proxy, username, PASSWORD, **via) == 429
            other = {"X-Forwarded-For": "198.51.100.2"}
            assert await _login(proxy, username, PASSWORD, **other) == 200
        failed = await gateway.runtime.audit.entries(
            target_id=username, action="staff.login_failed"
        )
        assert {e.actor.client for e in failed} == {"198.51.100.1"}
        async with client_from(gateway, "203.0.113.7") as direct:  # not a proxy: peer counts
            for _ in range(3):
                assert await _login(direct, username, "x", **{"X-Forwarded-For": "1.2.3.4"}) == 401
        failed = await gateway.runtime.audit.entries(
            target_id=username, action="staff.login_failed"
        )
        assert {e.actor.client for e in failed} == {"198.51.100.1", "203.0.113.7"}
