"""The circuit breaker's states with a fake clock (``platform_client/breaker.py``)."""

from __future__ import annotations

import pytest

from platform_client import BreakerState, CircuitBreaker, CircuitOpen


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_the_threshold_of_consecutive_failures() -> None:
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=10, clock=Clock())
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    breaker.before_call()
    breaker.record_success()  # a success in between resets the count
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as fast:
        breaker.before_call()
    assert fast.value.retry_after_s == pytest.approx(10)


def test_half_open_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=5, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    clock.now += 5
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # a second caller meanwhile fails fast
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    breaker.before_call()


def test_a_failed_trial_reopens_for_a_full_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=5, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    clock.now += 6
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 4
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 1
    breaker.before_call()


def test_an_abandoned_trial_frees_the_next_call() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=1, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    clock.now += 1
    breaker.before_call()  # the trial, then cancelled
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # while it runs, nobody else gets through
    breaker.abandon()
    assert breaker.state is BreakerState.HALF_OPEN  # a cancelled call says nothing either way
    breaker.before_call()  # the next call is the new trial …
    with pytest.raises(CircuitOpen) as fast:
        breaker.before_call()  # … and the only one
    assert fast.value.retry_after_s == 0
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)
    with pytest.raises(ValueError):
        CircuitBreaker(cooldown_s=0)
