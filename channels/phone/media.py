"""What one phone call offers the rest of banshi, whatever SIP stack carries it.

The SIP user agent (``channels.phone.sip``) answers a call and hands a :class:`Call` to the call
session (``channels.phone.session``), which holds the conversation: it reads the caller's audio and
keys, and plays speech back. Audio crosses this line as 16-bit little-endian mono PCM at
:data:`PHONE_RATE` Hz in 20 ms frames; G.711 coding, RTP pacing and RFC 4733 / SIP INFO key events
stay inside the user agent.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

PHONE_RATE = 8000
"""Samples a second of phone audio (G.711)."""
FRAME_MS = 20
"""One RTP packet's worth of audio."""
FRAME_BYTES = PHONE_RATE * FRAME_MS // 1000 * 2
"""Bytes of one 20 ms frame of 16-bit PCM at 8 kHz (320)."""


@dataclass(frozen=True)
class Key:
    """A key the caller pressed: ``0``-``9``, ``*`` or ``#``."""

    key: str
    duration_ms: int = 0


@dataclass(frozen=True)
class Hangup:
    """The call ended: ``bye`` (caller hung up), ``cancel``, ``timeout`` (audio stopped)."""

    reason: str


CallEvent = Key | Hangup


class TransferResult(str, enum.Enum):
    """How handing the caller to a staff number ended (SIP REFER: ``channels.phone.refer``)."""

    DONE = "done"
    """The caller reached the staff number (final NOTIFY ``2xx``)."""
    REFUSED = "refused"
    """The REFER got a failure response (the caller's phone cannot be transferred)."""
    FAILED = "failed"
    """The caller's phone could not reach the staff number (final NOTIFY ``3xx``–``6xx``)."""
    TIMEOUT = "timeout"
    """No answer to the REFER, or no final NOTIFY in time."""
    ENDED = "ended"
    """The call ended before the transfer was known to have worked."""


class Call(Protocol):
    """One answered call, as the call session sees it."""

    call_id: str
    """The SIP Call-ID (not personal)."""
    caller: str
    """The caller's number as the PBX gave it (the From user part, digits only, may be "");
    personal data: mask it before logging (``zhtext.masking``)."""

    def audio(self) -> AsyncIterator[bytes]:
        """The caller's audio, one 20 ms frame (:data:`FRAME_BYTES`) at a time, until the call ends.
        Gaps in RTP (packet loss, hold) come as frames of silence, so time keeps flowing."""
        ...

    def events(self) -> AsyncIterator[CallEvent]:
        """Keys pressed (in order, each once) and, last, the hang-up."""
        ...

    async def play(self, pcm: bytes) -> bool:
        """Send ``pcm`` (8 kHz, 16-bit mono) to the caller, paced in real time; return when it has
        been sent (True) or was stopped by :meth:`stop_playing` or the end of the call (False)."""
        ...

    def stop_playing(self) -> None:
        """Stop what :meth:`play` is sending at once (barge-in); later plays start afresh."""
        ...

    async def hang_up(self) -> None:
        """End the call from our side (BYE); idempotent."""
        ...

    async def transfer(self, target: str) -> TransferResult:
        """Hand the caller to ``target`` (a SIP URI: a staff number) and wait for the outcome;
        the call stays up whatever it is (on :attr:`TransferResult.DONE` end it)."""
        ...

    @property
    def ended(self) -> bool:
        """Whether the call is over (either side)."""
        ...
