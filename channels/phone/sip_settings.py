"""The SIP user agent's settings, read once from ``BANSHI_SIP_*`` environment variables.

A frozen dataclass rather than a field of ``banshi.settings`` so that the channel can be built
and tested alone; the composition root may fill it from its own settings instead.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass


class SipConfigError(ValueError):
    """A ``BANSHI_SIP_*`` setting that cannot work, with the way to fix it."""


@dataclass(frozen=True)
class SipConfig:
    """Where the user agent listens and, optionally, where it registers."""

    host: str = "127.0.0.1"
    """Address the SIP and RTP sockets bind to (``BANSHI_SIP_HOST``); loopback unless a PBX on
    another machine must reach banshi."""
    port: int = 5060
    """SIP port, UDP (``BANSHI_SIP_PORT``); 0 picks a free one (tests)."""
    advertise: str = ""
    """Address written into Contact and SDP (``BANSHI_SIP_ADVERTISE``); defaults to ``host``,
    and must be set when ``host`` is 0.0.0.0 (the PBX needs a routable address)."""
    rtp_ports: tuple[int, int] | None = None
    """RTP port range ``low-high`` (``BANSHI_SIP_RTP_PORTS``, e.g. ``10000-10999``) for a
    firewall to open; any free port when unset."""
    rtp_timeout_s: float = 30.0
    """A call whose RTP stops this long (no BYE) ends (``BANSHI_SIP_RTP_TIMEOUT_S``)."""
    ring_ms: int = 0
    """How long to ring (180) before answering (``BANSHI_SIP_RING_MS``); 0 answers at once."""
    registrar: str = ""
    """``host[:port]`` of a PBX to REGISTER with (``BANSHI_SIP_REGISTRAR``); empty: none."""
    user: str = ""
    """The account (``BANSHI_SIP_USER``) registered and expected in calls' Request-URI."""
    password: str = ""
    """The account's digest password (``BANSHI_SIP_PASSWORD``); never logged."""
    register_expires_s: int = 300
    """Registration lifetime asked for (``BANSHI_SIP_REGISTER_EXPIRES_S``), refreshed before."""

    def __post_init__(self) -> None:
        try:
            ipaddress.ip_address(self.host)
        except ValueError as error:
            raise SipConfigError(f"BANSHI_SIP_HOST: {self.host!r} is no IP address") from error
        if ipaddress.ip_address(self.host).is_unspecified and not self.advertise:
            raise SipConfigError(
                "BANSHI_SIP_ADVERTISE must name the address the PBX reaches banshi on "
                f"when BANSHI_SIP_HOST is {self.host}"
            )
        if not 0 <= self.port <= 65535:
            raise SipConfigError(f"BANSHI_SIP_PORT: {self.port} is no port")
        if self.rtp_ports and not 1024 <= self.rtp_ports[0] < self.rtp_ports[1] <= 65535:
            raise SipConfigError("BANSHI_SIP_RTP_PORTS: write low-high, e.g. 10000-10999")
        if self.rtp_timeout_s <= 0:
            raise SipConfigError("BANSHI_SIP_RTP_TIMEOUT_S must be positive")
        if self.registrar and not (self.user and self.password):
            raise SipConfigError(
                "BANSHI_SIP_REGISTRAR needs BANSHI_SIP_USER and BANSHI_SIP_PASSWORD"
            )

    @property
    def contact_host(self) -> str:
        """The address peers send SIP and RTP to."""
        return self.advertise or self.host

    def __repr__(self) -> str:
        """The settings without the password, so that a logged config leaks nothing."""
        return (
            f"SipConfig(host={self.host!r}, port={self.port}, advertise={self.advertise!r}, "
            f"rtp_ports={self.rtp_ports}, rtp_timeout_s={self.rtp_timeout_s}, "
            f"registrar={self.registrar!r}, user={self.user!r}, password=***)"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SipConfig:
        """The settings from ``BANSHI_SIP_*`` variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(f"BANSHI_SIP_{name}", default).strip()

        try:
            ports = get("RTP_PORTS", "")
            low, _, high = ports.partition("-")
            return cls(
                host=get("HOST", "127.0.0.1"),
                port=int(get("PORT", "5060")),
                advertise=get("ADVERTISE", ""),
                rtp_ports=(int(low), int(high)) if ports else None,
                rtp_timeout_s=float(get("RTP_TIMEOUT_S", "30")),
                ring_ms=int(get("RING_MS", "0")),
                registrar=get("REGISTRAR", ""),
                user=get("USER", ""),
                password=env.get("BANSHI_SIP_PASSWORD", ""),
                register_expires_s=int(get("REGISTER_EXPIRES_S", "300")),
            )
        except ValueError as error:
            if isinstance(error, SipConfigError):
                raise
            raise SipConfigError(f"a BANSHI_SIP_* setting is no number: {error}") from error
