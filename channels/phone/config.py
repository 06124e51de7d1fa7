"""The phone channel's configuration (part of the gateway's, built by ``banshi.apps``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from channels.phone.rules import KEY_GAP_S, SILENCE_S, Button, keypad_options

GREETING = "您好，这里是办事小助手，可以帮您交费、查养老金、办证，请说您要办的事。"
"""Said at once when a call is answered: who is speaking and what it can do, in one sentence."""
MENU = (
    ("交学费", "/pay_education_fee"),
    ("查养老金", "/query_pension"),
    ("交水电燃气费", "/pay_utility_bill"),
)
"""After the greeting, the three errands callers come for most, each with its key (V6: the
option before its key, "交学费，请按1。"); saying any errand works as well."""
_SIP_URI = re.compile(r"^sips?:[^\s<>@]+@[^\s<>@;:]+(:\d{1,5})?(;[^\s<>]*)?$")
"""``sip:user@host[:port][;params]``: a staff number REFER can name."""
RECORDING_NOTICE = "为了服务质量，通话会录音。"
"""Added to the greeting when recordings are on: the caller is told at the start."""


@dataclass(frozen=True)
class PhoneConfig:
    """Phone settings; units in the names."""

    enabled: bool = False
    """Whether the gateway answers calls (starts the SIP user agent)."""
    sip_host: str = "127.0.0.1"
    """Address the SIP user agent listens on (loopback unless a PBX elsewhere sends calls)."""
    sip_port: int = 5060
    """UDP port for SIP."""
    sip_public_host: str = ""
    """Address put in SDP and Contact when it differs from ``sip_host`` (behind NAT)."""
    rtp_port_min: int = 20000
    rtp_port_max: int = 20999
    """UDP ports for the calls' audio."""
    rtp_timeout_s: float = 30.0
    """A call whose audio stops this long without a BYE is ended (and a BYE sent)."""
    sip_allowed_peers: tuple[str, ...] = ()
    """Addresses or networks SIP is taken from (empty: any)."""
    register_uri: str = ""
    """``sip:pbx.example:5060`` to REGISTER at a PBX (empty: calls are sent to us directly)."""
    register_user: str = ""
    register_password: str = ""
    silence_s: float = SILENCE_S
    """Quiet after a prompt before the silence ladder moves a step (V3)."""
    key_gap_s: float = KEY_GAP_S
    """Longest pause between keys of a keypad entry (V3: at least 10 s)."""
    speech_rate_cpm: int = 190
    slow_speech_rate_cpm: int = 160
    recordings: bool = False
    """Keep the caller's audio under ``recordings_dir`` (off by default; the caller is told)."""
    recordings_dir: Path = Path("var/recordings")
    recording_days: int = 30
    """Recordings older than this are deleted (checked when the gateway starts and daily)."""
    greeting: str = GREETING
    refer_to: str = ""
    """A staff number as a SIP URI (``sip:8001@pbx.example``): a call that goes to a person
    is first handed there by SIP REFER; empty, or when that fails, it waits in the console's
    queue."""

    def __post_init__(self) -> None:
        if self.key_gap_s < 10:
            raise ValueError("phone key_gap_s must be at least 10 seconds (V3)")
        if self.silence_s <= 0:
            raise ValueError("phone silence_s must be positive")
        if not 150 <= self.slow_speech_rate_cpm <= self.speech_rate_cpm <= 240:
            raise ValueError("phone speech rates must be 150–240 and slow ≤ normal")
        if self.recording_days < 1:
            raise ValueError("phone recording_days must be at least 1")
        if self.refer_to and not _SIP_URI.match(self.refer_to):
            raise ValueError(
                f"phone refer_to: {self.refer_to!r} is no SIP URI (sip:8001@pbx.example:5060)"
            )

    @property
    def spoken_greeting(self) -> str:
        """The greeting with the recording notice when recordings are on."""
        return f"{self.greeting}{RECORDING_NOTICE}" if self.recordings else self.greeting

    @property
    def menu(self) -> tuple[Button, ...]:
        """The greeting's keypad menu (:data:`MENU`)."""
        return tuple(Button(title, payload) for title, payload in MENU)

    @property
    def greeting_speech(self) -> str:
        """What the caller hears on answer: the greeting and its menu, option before key
        (synthesized ahead of the first call)."""
        return self.spoken_greeting + keypad_options(self.menu)
