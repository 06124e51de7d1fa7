"""One answered call as a SIP dialog (RFC 3261 §12) with its RTP stream: the :class:`Call`
that the call session holds.

The dialog remembers what in-dialog requests need (tags, the caller's Contact, the route set
from Record-Route) so that banshi can end the call with a BYE that reaches the caller through
the same proxies the INVITE came through.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Protocol

from channels.phone.media import FRAME_BYTES, CallEvent, Hangup, Key
from channels.phone.message import SipMessage, host_port, new_branch, uri_of, user_of
from channels.phone.rtp import RtpStream
from zhtext.masking import mask_digits

logger = logging.getLogger(__name__)

SILENT_FRAME = b"\0" * FRAME_BYTES
GAP_S = 0.1
"""A reader waiting this long for a frame gets this much silence instead (RTP gap, hold)."""


class Signalling(Protocol):
    """What a dialog needs of the SIP transport: its own address, a client transaction."""

    @property
    def via_host(self) -> str:
        """``host:port`` written into Via and Contact."""
        ...

    def start_request(self, message: SipMessage, target: tuple[str, int]) -> None:
        """Send ``message`` as a client transaction (retransmitted until answered)."""
        ...

    def forget(self, call: SipCall) -> None:
        """The call is over: stop routing its requests."""
        ...


def mask_caller(number: str) -> str:
    """A caller number as logs may show it (``139****5678``; short numbers fully hidden)."""
    return mask_digits(number) if len(number) > 4 else "*" * len(number)


class SipCall:
    """An answered call: audio and keys in, audio out, hang-up either way."""

    def __init__(
        self,
        signalling: Signalling,
        invite: SipMessage,
        *,
        local_tag: str,
        stream: RtpStream,
    ) -> None:
        self.call_id = invite.call_id
        self.caller = "".join(ch for ch in user_of(invite.header("from")) if ch.isdigit())
        self.local_tag = local_tag
        self.remote_tag = invite.from_tag
        self.stream = stream
        self.confirmed = asyncio.Event()
        """Set when the caller's ACK arrives (the call is up)."""
        self.cancelled = asyncio.Event()
        """Set when the caller cancels before the answer."""
        self.hangup_reason = ""
        self.invite = invite
        """The INVITE that set the call up (a CANCEL's 487 answers it)."""
        self.answered = False
        """Whether the 200 OK went out (a later CANCEL changes nothing)."""
        self.session_id = random.randrange(1, 1 << 31)
        """The SDP o= session id, kept across re-INVITEs."""
        self.invite_cseq = invite.cseq[0]
        self.sdp_version = 1
        self._signalling = signalling
        self._remote_uri = invite.header("from")
        self._local_uri = f"{invite.header('to')};tag={local_tag}"
        contact = invite.get("contact")
        self._remote_target = uri_of(contact) if contact else uri_of(invite.header("from"))
        self._route_set = invite.get_all("record-route")
        self._local_cseq = random.randrange(1, 1 << 16)
        self._events: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._ended = False
        self._started = asyncio.get_running_loop().time()

    @property
    def ended(self) -> bool:
        """Whether the call is over (either side)."""
        return self._ended

    @property
    def masked_caller(self) -> str:
        """The caller's number for logs."""
        return mask_caller(self.caller)

    async def audio(self) -> AsyncIterator[bytes]:
        """The caller's audio in 20 ms frames; silence fills gaps; ends with the call."""
        while True:
            try:
                frame = await asyncio.wait_for(self.stream.frames.get(), GAP_S)
            except asyncio.TimeoutError:
                if self._ended:
                    return
                for _ in range(round(GAP_S * 1000 / 20)):
                    yield SILENT_FRAME
                continue
            if frame is None:
                return
            yield frame

    async def events(self) -> AsyncIterator[CallEvent]:
        """Keys in order, each once, then the :class:`Hangup`."""
        while True:
            event = await self._events.get()
            yield event
            if isinstance(event, Hangup):
                return

    async def play(self, pcm: bytes) -> bool:
        """Send ``pcm`` paced in real time; False when stopped or the call ended."""
        if self._ended:
            return False
        return await self.stream.play(pcm)

    def stop_playing(self) -> None:
        """Barge-in: stop what is being sent at once."""
        self.stream.stop_playing()

    async def hang_up(self) -> None:
        """End the call from banshi's side with a BYE; idempotent."""
        self.end("local", send_bye=True)

    def key(self, key: Key) -> None:
        """A key from RTP or SIP INFO."""
        if not self._ended and self.confirmed.is_set():
            logger.info("phone.call.key call_id=%s", self.call_id)
            self._events.put_nowait(key)

    def end(self, reason: str, *, send_bye: bool) -> None:
        """The call is over for ``reason``; with ``send_bye`` the caller is told so."""
        if self._ended:
            return
        self._ended = True
        self.hangup_reason = reason
        self.stream.close()
        if send_bye:
            self._send_bye()
        self._signalling.forget(self)
        duration = asyncio.get_running_loop().time() - self._started
        logger.info(
            "phone.call.ended call_id=%s caller=%s reason=%s duration_s=%.1f",
            self.call_id,
            self.masked_caller,
            reason,
            duration,
        )
        self._events.put_nowait(Hangup(reason))

    def _send_bye(self) -> None:
        self._local_cseq += 1
        bye = SipMessage(method="BYE", uri=self._remote_target)
        bye.headers = [
            ("Via", f"SIP/2.0/UDP {self._signalling.via_host};branch={new_branch()};rport"),
            ("Max-Forwards", "70"),
            *[("Route", route) for route in self._route_set],
            ("From", self._local_uri),
            ("To", self._remote_uri),
            ("Call-ID", self.call_id),
            ("CSeq", f"{self._local_cseq} BYE"),
            ("User-Agent", "banshi"),
        ]
        # Loose routing (RFC 3261 §12.2.1.1): the request goes to the first proxy of the route
        # set, the caller's Contact stays the Request-URI.
        first_hop = uri_of(self._route_set[0]) if self._route_set else self._remote_target
        self._signalling.start_request(bye, host_port(first_hop))
