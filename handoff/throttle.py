"""Sign-in limits: growing delays after wrong passwords, per user name *and* client address.

A wrong password from one address never slows down the same name from another address, so
nobody can lock a colleague out by typing their name (citizens can see staff names). Two
counters are kept for each failure:

- ``(name, address)``: the first :attr:`LoginLimits.free_failures` are free, then each further
  failure makes the next try wait ``first_delay_s``, doubling, up to ``max_delay_s``;
- the address over all names (password spraying): the same delays after
  :attr:`LoginLimits.address_free_failures` failures.

A try during a delay is refused before the password is checked (the right password too). A
good sign-in clears the ``(name, address)`` counter; counters are forgotten ``forget_s`` after
their last failure.

Two stores with one interface: :class:`MemoryThrottleStore` (one process; at most
``max_entries`` counters, least recently used dropped first) and :class:`RedisThrottleStore`
(shared by every gateway of the scale profile; keys expire on their own). Keys are SHA-256
hashes, so no user name or address is written to Redis.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from handoff.clock import Clock, utc_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counter:
    """Failures so far and the time (epoch seconds) before which no try is accepted."""

    failures: int = 0
    blocked_until: float = 0.0


class ThrottleStore(Protocol):
    """Where the counters live."""

    async def get(self, key: str) -> Counter:
        """The counter of ``key`` (a fresh one if unknown or forgotten)."""
        ...

    async def fail(self, key: str, *, now: float, delays: LoginLimits) -> Counter:
        """Count one failure of ``key`` at ``now`` and set its delay; the new counter."""
        ...

    async def clear(self, key: str) -> None:
        """Forget ``key``."""
        ...


@dataclass(frozen=True)
class LoginLimits:
    """The delays; units in the names."""

    free_failures: int = 3
    """Wrong passwords for one name from one address before delays start."""
    address_free_failures: int = 30
    """Wrong passwords from one address over all names before delays start."""
    first_delay_s: float = 1.0
    max_delay_s: float = 900.0
    forget_s: float = 3600.0
    """A counter without a failure for this long starts again from zero."""

    def delay_s(self, failures: int, free: int) -> float:
        """The wait after the ``failures``-th failure (0 while still free)."""
        if failures < free:
            return 0.0
        return min(self.first_delay_s * 2.0 ** min(failures - free, 30), self.max_delay_s)


def _next(counter: Counter, now: float, free: int, limits: LoginLimits) -> Counter:
    failures = counter.failures + 1
    return Counter(failures, now + limits.delay_s(failures, free))


def _free_of(key: str, limits: LoginLimits) -> int:
    return limits.address_free_failures if key.startswith("addr:") else limits.free_failures


class MemoryThrottleStore:
    """Counters in this process: at most ``max_entries``, the least recently used dropped."""

    def __init__(self, *, max_entries: int = 10_000, forget_s: float = 3600.0) -> None:
        self.max_entries = max_entries
        self.forget_s = forget_s
        self._counters: OrderedDict[str, tuple[Counter, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._counters)

    def _live(self, key: str, now: float) -> Counter:
        found = self._counters.get(key)
        if found is None:
            return Counter()
        counter, last = found
        if now - last >= self.forget_s:
            del self._counters[key]
            return Counter()
        return counter

    async def get(self, key: str) -> Counter:
        found = self._counters.get(key)
        return found[0] if found else Counter()

    async def fail(self, key: str, *, now: float, delays: LoginLimits) -> Counter:
        counter = _next(self._live(key, now), now, _free_of(key, delays), delays)
        self._counters[key] = (counter, now)
        self._counters.move_to_end(key)
        while len(self._counters) > self.max_entries:
            self._counters.popitem(last=False)
        return counter

    async def clear(self, key: str) -> None:
        self._counters.pop(key, None)


class RedisThrottleStore:
    """Counters in Redis, shared by the gateway processes (scale profile).

    If Redis cannot be reached the counters of this process are used meanwhile (logged), so
    the limits still hold per process and sign-in keeps working.
    """

    PREFIX = "banshi:login:"

    def __init__(self, client: Any, *, forget_s: float = 3600.0) -> None:
        self.client = client
        self.forget_s = forget_s
        self.fallback = MemoryThrottleStore(forget_s=forget_s)

    @classmethod
    def from_url(cls, url: str, *, forget_s: float = 3600.0) -> RedisThrottleStore:
        """A store on the Redis at ``url``."""
        import redis.asyncio as aioredis

        return cls(aioredis.from_url(url, client_name="banshi-login"), forget_s=forget_s)

    def _key(self, key: str) -> str:
        return self.PREFIX + hashlib.sha256(key.encode()).hexdigest()

    async def get(self, key: str) -> Counter:
        try:
            raw = await self.client.hgetall(self._key(key))
        except Exception as error:
            logger.warning("handoff.throttle.redis_failed error=%s", type(error).__name__)
            return await self.fallback.get(key)
        if not raw:
            return await self.fallback.get(key)
        values = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
        return Counter(int(values.get("failures", 0)), float(values.get("until", 0.0)))

    async def fail(self, key: str, *, now: float, delays: LoginLimits) -> Counter:
        name = self._key(key)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hincrby(name, "failures", 1)
                pipe.expire(name, math.ceil(self.forget_s))
                failures = int((await pipe.execute())[0])
            counter = Counter(failures, now + delays.delay_s(failures, _free_of(key, delays)))
            await self.client.hset(name, "until", repr(counter.blocked_until))
            return counter
        except Exception as error:
            logger.warning("handoff.throttle.redis_failed error=%s", type(error).__name__)
            return await self.fallback.fail(key, now=now, delays=delays)

    async def clear(self, key: str) -> None:
        await self.fallback.clear(key)
        try:
            await self.client.delete(self._key(key))
        except Exception as error:
            logger.warning("handoff.throttle.redis_failed error=%s", type(error).__name__)

    async def close(self) -> None:
        """Close the connection."""
        await self.client.close()


class LoginThrottle:
    """Decides whether a sign-in may be tried now, and counts the outcomes."""

    def __init__(
        self,
        store: ThrottleStore | None = None,
        *,
        limits: LoginLimits | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.limits = limits or LoginLimits()
        self.store: ThrottleStore = (
            store if store is not None else MemoryThrottleStore(forget_s=self.limits.forget_s)
        )
        self.clock = clock

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"name:{username.strip().lower()}\x00{address}", f"addr:{address}"

    def _now(self) -> float:
        return self.clock().timestamp()

    async def wait_s(self, username: str, address: str) -> float:
        """Seconds before ``username`` may be tried from ``address`` (0: now)."""
        now = self._now()
        waits = [
            (await self.store.get(key)).blocked_until - now for key in self._keys(username, address)
        ]
        return max(0.0, *waits)

    async def failed(self, username: str, address: str) -> float:
        """Count one wrong password; the delay before the next try from this address."""
        now = self._now()
        counters = [
            await self.store.fail(key, now=now, delays=self.limits)
            for key in self._keys(username, address)
        ]
        return max(0.0, *(c.blocked_until - now for c in counters))

    async def succeeded(self, username: str, address: str) -> None:
        """Forget this name's failures from this address after a good sign-in."""
        await self.store.clear(self._keys(username, address)[0])
