"""The one client banshi uses to call the provincial platform (shared/PLATFORM_API.md)."""

from actions.platform.breaker import BreakerState, CircuitBreaker
from actions.platform.client import CitizenAuth, PlatformClient, RetryPolicy
from actions.platform.errors import CircuitOpen, PlatformError, PlatformUnavailable

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "CitizenAuth",
    "PlatformClient",
    "PlatformError",
    "PlatformUnavailable",
    "RetryPolicy",
]
