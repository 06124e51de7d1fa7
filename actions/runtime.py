"""The action server's one platform client, created at server start and closed at stop; the
start also sets the actions' calendar day (:mod:`actions.clock`)."""

from __future__ import annotations

from actions import clock
from actions.config import ActionConfig
from platform_client.client import PlatformClient

_client: PlatformClient | None = None


def start_client(config: ActionConfig) -> PlatformClient:
    """Create the process's client (called from the server's startup listener)."""
    global _client
    clock.pin_today(config.today)
    _client = PlatformClient(
        config.platform_url,
        config.platform_client_key,
        connect_timeout_s=config.platform_connect_timeout_s,
        read_timeout_s=config.platform_read_timeout_s,
    )
    return _client


async def stop_client() -> None:
    """Close the process's client (called from the server's shutdown listener)."""
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


def platform_client() -> PlatformClient:
    """The client of this process; the server must have started it."""
    if _client is None:
        raise RuntimeError("the platform client is not started; run actions via actions.server")
    return _client
