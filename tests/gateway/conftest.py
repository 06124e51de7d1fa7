"""The gateway in this process (``make_gateway`` of the handoff tests), for the tests of what
enters it and what every answer carries."""

from __future__ import annotations

from tests.handoff.conftest import make_gateway

__all__ = ["make_gateway"]
