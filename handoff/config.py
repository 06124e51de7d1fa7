"""The handoff part's configuration, built by the composition root from the settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HandoffConfig:
    """Queue, working hours, sessions and demo accounts; units in the names."""

    claim_timeout_s: float = 180.0
    """Waiting this long without a claim: the citizen is offered a call-back."""
    working_hours: str = "1-5 08:30-17:30"
    """When the agency point is staffed: ``days HH:MM-HH:MM`` rules separated by ``;``
    (days 1 = Monday … 7 = Sunday), e.g. ``1-5 08:30-12:00,13:30-17:30; 6 09:00-12:00``."""
    timezone: str = "Asia/Shanghai"
    presence_s: float = 120.0
    """A staff member counts as on duty while their console was seen this recently."""
    tick_s: float = 5.0
    """How often the queue is checked for timeouts and position changes."""
    position_notice_s: float = 60.0
    """At most one position update per citizen in this time (unless it changed a lot)."""
    default_handle_s: float = 300.0
    """Estimated handling time of one handoff before there is history to average."""
    session_hours: float = 12.0
    cookie_secure: bool = False
    """Send the session cookie only over HTTPS (on behind TLS; off on plain loopback)."""
    demo_accounts: bool = False
    """Create the demo staff accounts with the demo password (embedded profile only)."""
    demo_password: str = ""
    max_text_chars: int = 500
    platform_url: str = ""
    """The platform API, for proxy authorizations (empty: cases are recorded without one)."""
    platform_client_key: str = ""
    proxy_days: int = 7
    """How long a staff proxy authorization lasts on the platform, in days."""
    console_redis_url: str = ""
    """Redis for the console feed and the sign-in limits across gateway processes (scale
    profile; empty: one process)."""
    trusted_proxies: tuple[str, ...] = ()
    """Reverse proxies (addresses or networks) whose ``X-Forwarded-For`` names the client;
    from any other peer the header is ignored."""
