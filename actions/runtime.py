"""The action server's platform client and citizen sessions, created at server start and
closed at stop; the start also sets the actions' calendar day (:mod:`actions.clock`)."""

from __future__ import annotations

from actions import clock
from actions.config import ActionConfig
from actions.sessions import CitizenSessions
from platform_client.client import PlatformClient

_client: PlatformClient | None = None
_sessions: CitizenSessions | None = None


def start_client(config: ActionConfig) -> PlatformClient:
    """Create the process's client and its citizen session store (called from the server's
    startup listener)."""
    global _client, _sessions
    clock.pin_today(config.today)
    _client = PlatformClient(
        config.platform_url,
        config.platform_client_key,
        connect_timeout_s=config.platform_connect_timeout_s,
        read_timeout_s=config.platform_read_timeout_s,
    )
    _sessions = CitizenSessions(config.database_url) if config.database_url else None
    return _client


async def stop_client() -> None:
    """Close the process's client and session store (called from the server's shutdown
    listener)."""
    global _client, _sessions
    if _client is not None:
        await _client.aclose()
        _client = None
    if _sessions is not None:
        await _sessions.close()
        _sessions = None


def platform_client() -> PlatformClient:
    """The client of this process; the server must have started it."""
    if _client is None:
        raise RuntimeError("the platform client is not started; run actions via actions.server")
    return _client


def citizen_sessions() -> CitizenSessions:
    """The citizen session store of this process; the server must have started it with the
    gateway's database URL."""
    if _sessions is None:
        raise RuntimeError(
            "the citizen session store is not started: run actions via actions.server, "
            "with BANSHI_GATEWAY_DATABASE_URL set (banshi run sets it)"
        )
    return _sessions
