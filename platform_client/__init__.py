"""The one client banshi uses to call the provincial platform (shared/PLATFORM_API.md)."""

from platform_client.breaker import BreakerState, CircuitBreaker
from platform_client.client import CitizenAuth, PlatformClient, RetryPolicy
from platform_client.errors import (
    CircuitOpen,
    PlatformError,
    PlatformUnavailable,
    UnexpectedResponse,
)

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "CitizenAuth",
    "PlatformClient",
    "PlatformError",
    "PlatformUnavailable",
    "RetryPolicy",
    "UnexpectedResponse",
]
