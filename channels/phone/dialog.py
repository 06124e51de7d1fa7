"""One answered call as a SIP dialog (RFC 3261 §12) with its RTP stream: the :class:`Call`
that the call session holds.

The dialog remembers what in-dialog requests need (tags, the caller's Contact, the route set
from Record-Route) so that banshi can end the call with a BYE, or hand it to a staff number
with a REFER, that reaches the caller through the same proxies the INVITE came through.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Protocol

from channels.phone.media import FRAME_BYTES, CallEvent, Hangup, Key, TransferResult
from channels.phone.message import SipMessage, host_port, new_branch, uri_of, user_of
from channels.phone.refer import (
    REFER_TIMEOUT_S,
    Progress,
    is_refer_event,
    progress,
    result_of,
)
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

    async def request(self, message: SipMessage, target: tuple[str, int]) -> SipMessage | None:
        """Send ``message`` as a client transaction; its final response, None on timeout."""
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
        self._transfer_steps: asyncio.Queue[Progress | None] | None = None
        """What the NOTIFYs of a transfer under way said (None when none is)."""

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
        if self._transfer_steps is not None:
            self._transfer_steps.put_nowait(None)

    async def transfer(self, target: str, timeout_s: float = REFER_TIMEOUT_S) -> TransferResult:
        """Ask the caller's side to call ``target`` (a SIP URI) instead, by REFER (RFC 3515),
        and wait for the outcome. The call stays up whatever it is: on
        :attr:`TransferResult.DONE` the session ends it (BYE), on anything else the caller is
        still with banshi."""
        if self._ended:
            return TransferResult.ENDED
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        self._transfer_steps = asyncio.Queue()
        refer, first_hop = self._request(
            "REFER",
            [
                ("Contact", f"<sip:{self._signalling.via_host}>"),
                ("Refer-To", f"<{target}>"),
                ("Referred-By", f"<sip:banshi@{self._signalling.via_host}>"),
            ],
        )
        logger.info("phone.call.refer call_id=%s", self.call_id)
        try:
            answer = await asyncio.wait_for(self._signalling.request(refer, first_hop), timeout_s)
            if answer is None:
                return self._transferred(TransferResult.TIMEOUT, 0)
            if not 200 <= answer.status < 300:
                return self._transferred(TransferResult.REFUSED, answer.status)
            while True:
                step = await asyncio.wait_for(
                    self._transfer_steps.get(), max(deadline - loop.time(), 0)
                )
                if step is None:
                    return self._transferred(TransferResult.ENDED, 0)
                if step.final:
                    return self._transferred(result_of(step), step.status)
        except asyncio.TimeoutError:
            return self._transferred(TransferResult.TIMEOUT, 0)
        finally:
            self._transfer_steps = None

    def notified(self, notify: SipMessage) -> bool:
        """A NOTIFY in this dialog: whether it reports on the transfer under way (answered
        ``200``; otherwise ``481``, RFC 6665 §4.1.3)."""
        if self._transfer_steps is None or not is_refer_event(notify):
            return False
        self._transfer_steps.put_nowait(progress(notify))
        return True

    def _transferred(self, result: TransferResult, status: int) -> TransferResult:
        logger.info(
            "phone.call.refer_result call_id=%s result=%s status=%d",
            self.call_id,
            result.value,
            status,
        )
        return result

    def _request(
        self, method: str, headers: list[tuple[str, str]]
    ) -> tuple[SipMessage, tuple[str, int]]:
        """A request in this dialog and where it goes first."""
        self._local_cseq += 1
        request = SipMessage(method=method, uri=self._remote_target)
        request.headers = [
            ("Via", f"SIP/2.0/UDP {self._signalling.via_host};branch={new_branch()};rport"),
            ("Max-Forwards", "70"),
            *[("Route", route) for route in self._route_set],
            ("From", self._local_uri),
            ("To", self._remote_uri),
            ("Call-ID", self.call_id),
            ("CSeq", f"{self._local_cseq} {method}"),
            *headers,
            ("User-Agent", "banshi"),
        ]
        # Loose routing (RFC 3261 §12.2.1.1): the request goes to the first proxy of the route
        # set, the caller's Contact stays the Request-URI.
        first_hop = uri_of(self._route_set[0]) if self._route_set else self._remote_target
        return request, host_port(first_hop)

    def _send_bye(self) -> None:
        self._signalling.start_request(*self._request("BYE", []))
