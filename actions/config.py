"""The action server's configuration, read from the ``BANSHI_*`` variables that the process
runner exports (``banshi.settings.Settings.child_env``). Read once, at server start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ActionConfig:
    """What the actions need to reach the platform and the gateway."""

    platform_url: str
    platform_client_key: str
    platform_connect_timeout_s: float = 1.0
    platform_read_timeout_s: float = 3.0
    action_token: str = ""
    gateway_url: str = "http://127.0.0.1:8000"
    service_token: str = ""
    host: str = "127.0.0.1"
    port: int = 5055
    today: date | None = None
    """A pinned calendar day (``BANSHI_TODAY``), for tests and replayed demos."""
    database_url: str = ""
    """The gateway's database, where the citizen sessions are kept (:mod:`actions.sessions`)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ActionConfig:
        """Build the configuration from an environment mapping (default: ``os.environ``)."""
        env = os.environ if env is None else env
        missing = [
            name
            for name in ("BANSHI_PLATFORM_URL", "BANSHI_PLATFORM_CLIENT_KEY")
            if not env.get(name)
        ]
        if missing:
            raise RuntimeError(
                f"action server: {', '.join(missing)} not set; start it with `banshi run` "
                "(or `make run`), which sets them."
            )
        return cls(
            platform_url=env["BANSHI_PLATFORM_URL"].rstrip("/"),
            platform_client_key=env["BANSHI_PLATFORM_CLIENT_KEY"],
            platform_connect_timeout_s=float(env.get("BANSHI_PLATFORM_CONNECT_TIMEOUT_S", "1.0")),
            platform_read_timeout_s=float(env.get("BANSHI_PLATFORM_READ_TIMEOUT_S", "3.0")),
            action_token=env.get("BANSHI_ACTION_TOKEN", ""),
            gateway_url=env.get("BANSHI_GATEWAY_URL", "http://127.0.0.1:8000").rstrip("/"),
            service_token=env.get("BANSHI_SERVICE_TOKEN", ""),
            host=env.get("BANSHI_ACTION_HOST", "127.0.0.1"),
            port=int(env.get("BANSHI_ACTION_PORT", "5055")),
            today=_pinned_day(env.get("BANSHI_TODAY", "")),
            database_url=env.get("BANSHI_GATEWAY_DATABASE_URL", ""),
        )


def _pinned_day(value: str) -> date | None:
    """``BANSHI_TODAY`` as a date; blank means the real calendar."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RuntimeError(
            f"action server: BANSHI_TODAY={value!r} is not a day; write it as 2026-12-01, "
            "or leave it unset to follow the calendar."
        ) from None
