"""A circuit breaker: stop calling a platform that keeps failing, try again after a pause.

States: ``closed`` (calls go through; consecutive failures are counted), ``open`` (calls
fail at once with :class:`~platform_client.errors.CircuitOpen` for ``cooldown_s``
seconds), ``half_open`` (one trial call goes through; success closes the circuit, failure
opens it again). Only failures that mean "the platform is down" count: unreachable, too
slow, 5xx. A contract error (4xx) is an answer, so it counts as a success; so is an answer
of the wrong shape (:class:`~platform_client.errors.UnexpectedResponse`): the platform is up,
and opening the circuit would also stop the routes that answer well.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

from platform_client.errors import CircuitOpen

logger = logging.getLogger(__name__)


class BreakerState(str, enum.Enum):
    """Where the breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures, for ``cooldown_s`` seconds.

    Not thread-safe: one instance serves one event loop (the process's platform client).
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cooldown_s <= 0:
            raise ValueError("failure_threshold must be ≥ 1 and cooldown_s > 0")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker whose cool-down has passed reads ``half_open``)."""
        if self._state is BreakerState.OPEN and self._cooled_down():
            return BreakerState.HALF_OPEN
        return self._state

    def before_call(self) -> None:
        """Let a call through, or raise :class:`CircuitOpen`."""
        if self._state is BreakerState.CLOSED:
            return
        if self._state is BreakerState.OPEN:
            if not self._cooled_down():
                raise CircuitOpen(self.cooldown_s - (self._clock() - self._opened_at))
            self._state = BreakerState.HALF_OPEN
            self._trial_in_flight = False
            logger.info("platform.breaker.half_open")
        if self._trial_in_flight:
            raise CircuitOpen(0.0)
        self._trial_in_flight = True

    def record_success(self) -> None:
        """The platform answered: close the circuit, forget past failures."""
        if self._state is not BreakerState.CLOSED:
            logger.info("platform.breaker.closed")
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._trial_in_flight = False

    def record_failure(self) -> None:
        """The platform was down for this call: count it; open at the threshold."""
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            if self._state is not BreakerState.OPEN:
                logger.warning("platform.breaker.open failures=%d", self._failures)
            self._state = BreakerState.OPEN
            self._opened_at = self._clock()
            self._trial_in_flight = False

    def abandon(self) -> None:
        """A call ended without telling anything about the platform (it was cancelled):
        let the next call be the trial."""
        self._trial_in_flight = False

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.cooldown_s
