"""Rate limits per calling system: a token bucket per presented client key.

Past the limit a request is answered ``429 rate_limited`` with ``Retry-After`` (whole
seconds). State lives in this process (the sandbox runs one process per profile).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allows ``rate_per_s`` requests a second per key, in bursts of up to ``burst``."""

    def __init__(
        self, rate_per_s: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        """False when the rate is 0 (no limit)."""
        return self.rate_per_s > 0

    def check(self, key: str) -> int | None:
        """Take one request for ``key``: None if allowed, else seconds to wait (≥ 1)."""
        if not self.enabled:
            return None
        now = self._clock()
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:16]
        bucket = self._buckets.get(digest)
        if bucket is None:
            bucket = self._buckets[digest] = _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate_per_s)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / self.rate_per_s))

    def clear(self) -> None:
        """Forget every bucket (all keys start full again)."""
        self._buckets.clear()
