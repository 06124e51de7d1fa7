"""The SIP user agent's settings: a frozen dataclass the composition root fills from the
``BANSHI_SIP_*`` settings (``banshi/phone.py``), so that the user agent can be built and tested
alone. Checked when built, with the setting to fix named.
"""

from __future__ import annotations

import ipaddress
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
    """Address written into Contact and SDP (``BANSHI_SIP_PUBLIC_HOST``); defaults to ``host``,
    and must be set when ``host`` is 0.0.0.0 (the PBX needs a routable address)."""
    rtp_ports: tuple[int, int] | None = None
    """RTP port range ``low-high`` (``BANSHI_SIP_RTP_PORT_MIN``, ``_MAX``) for a
    firewall to open; any free port when unset."""
    rtp_timeout_s: float = 30.0
    """A call whose RTP stops this long (no BYE) ends (``BANSHI_SIP_RTP_TIMEOUT_S``)."""
    ring_ms: int = 0
    """How long to ring (180) before answering (not a setting yet); 0 answers at once."""
    registrar: str = ""
    """``host[:port]`` of a PBX to REGISTER with (``BANSHI_SIP_REGISTER_URI``); empty: none."""
    user: str = ""
    """The account registered (``BANSHI_SIP_REGISTER_USER``)."""
    password: str = ""
    """The account's digest password (``BANSHI_SIP_REGISTER_PASSWORD``); never logged."""
    allowed_peers: tuple[str, ...] = ()
    """Networks SIP is taken from (``BANSHI_SIP_ALLOWED_PEERS``: ``10.0.0.5,10.1.0.0/16``):
    datagrams from anywhere else are dropped unanswered. Empty: from anywhere (the default
    host is loopback)."""
    register_expires_s: int = 300
    """Registration lifetime asked for (not a setting yet), refreshed before."""

    def __post_init__(self) -> None:
        try:
            ipaddress.ip_address(self.host)
        except ValueError as error:
            raise SipConfigError(f"BANSHI_SIP_HOST: {self.host!r} is no IP address") from error
        if ipaddress.ip_address(self.host).is_unspecified and not self.advertise:
            raise SipConfigError(
                "BANSHI_SIP_PUBLIC_HOST must name the address the PBX reaches banshi on "
                f"when BANSHI_SIP_HOST is {self.host}"
            )
        if not 0 <= self.port <= 65535:
            raise SipConfigError(f"BANSHI_SIP_PORT: {self.port} is no port")
        if self.rtp_ports and not 1024 <= self.rtp_ports[0] < self.rtp_ports[1] <= 65535:
            raise SipConfigError(
                "BANSHI_SIP_RTP_PORT_MIN must be below BANSHI_SIP_RTP_PORT_MAX, both 1024-65535"
            )
        if self.rtp_timeout_s <= 0:
            raise SipConfigError("BANSHI_SIP_RTP_TIMEOUT_S must be positive")
        for peer in self.allowed_peers:
            try:
                ipaddress.ip_network(peer, strict=False)
            except ValueError as error:
                raise SipConfigError(
                    f"BANSHI_SIP_ALLOWED_PEERS: {peer!r} is no address or network"
                ) from error
        if self.registrar and not (self.user and self.password):
            raise SipConfigError(
                "BANSHI_SIP_REGISTER_URI needs BANSHI_SIP_REGISTER_USER and _PASSWORD"
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
            f"allowed_peers={self.allowed_peers}, registrar={self.registrar!r}, "
            f"user={self.user!r}, password=***)"
        )
