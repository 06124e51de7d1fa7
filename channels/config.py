"""The gateway's configuration, built by the composition root (``banshi.apps``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from channels.kiosk.config import KioskConfig
from handoff.config import HandoffConfig


@dataclass(frozen=True)
class GatewayConfig:
    """What the gateway needs; units in the names."""

    database_url: str
    rasa_url: str
    rasa_token: str
    service_token: str
    max_text_chars: int = 500
    rasa_timeout_s: float = 10.0
    sandbox_docs_url: str = ""
    today: date | None = None
    """The pinned calendar day (``BANSHI_TODAY``) the platform and the actions work on;
    reported by ``/healthz``. None: the real calendar."""
    handoff: HandoffConfig = field(default_factory=HandoffConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
