"""Injected faults for resilience tests: slow responses and failing responses.

Set with ``POST /v1/sandbox/faults {latency_ms, error_rate}``; they apply to every ``/v1``
route except the sandbox helpers themselves (so faults can always be switched off), in this
process only, until changed or until ``POST /v1/sandbox/reset``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Faults:
    """The faults in force in one process."""

    latency_ms: int = 0
    """Delay added before every affected request is handled, in milliseconds."""
    error_rate: float = 0.0
    """Share of affected requests answered ``503 service_unavailable`` without being handled."""
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def set(self, *, latency_ms: int, error_rate: float) -> None:
        """Replace the faults in force."""
        self.latency_ms = latency_ms
        self.error_rate = error_rate

    def clear(self) -> None:
        """No faults."""
        self.set(latency_ms=0, error_rate=0.0)

    def should_fail(self) -> bool:
        """Draw whether this request fails (always for 1.0, never for 0.0)."""
        return self.error_rate > 0 and self._rng.random() < self.error_rate
