"""The SIP user agent: banshi answers calls that a PBX sends it (RFC 3261 over UDP).

A small layer of our own on asyncio (see the README's "Phone channel" for why no library):
:class:`SipServer` owns one UDP socket, answers INVITE with G.711 (100, optional 180, 200 with
SDP, retransmitted until the ACK), takes CANCEL, BYE, re-INVITE (hold and resume), OPTIONS
(PBX health checks), INFO keys and the NOTIFYs of a transfer by REFER
(``channels.phone.refer``), and runs the caller-supplied ``on_call`` coroutine for every
answered call. Malformed requests get ``400`` when they can be answered, otherwise they are
dropped and logged; nothing a peer sends can stop the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Awaitable, Callable

from channels.phone import message as sip
from channels.phone.dialog import SipCall, mask_caller
from channels.phone.media import Call, Key
from channels.phone.message import SipMessage, SipParseError
from channels.phone.register import Registration
from channels.phone.rtp import Peer, RtpStream
from channels.phone.sdp import LATE_OFFER, Offer, SdpError, answer, offer_sdp, parse_offer
from channels.phone.sip_settings import SipConfig

logger = logging.getLogger(__name__)

T1 = 0.5
"""RFC 3261 round-trip estimate, seconds: the first retransmission interval."""
T2 = 4.0
"""The longest retransmission interval for non-INVITE requests and 2xx responses."""
TRANSACTION_S = 64 * T1
"""How long a transaction lives (Timers B, F, H: 32 s)."""
STOP_GRACE_S = 2.0
"""How long ``stop()`` lets sessions and BYE transactions finish before cancelling them."""
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY"
INFO_KEYS = set("0123456789*#")

OnCall = Callable[[Call], Awaitable[None]]


class SipServer(asyncio.DatagramProtocol):
    """banshi's SIP endpoint: ``await start()``, calls arrive at ``on_call``, ``await stop()``."""

    def __init__(self, config: SipConfig, on_call: OnCall) -> None:
        self.config = config
        self.calls: dict[str, SipCall] = {}
        """Calls being answered or up, by Call-ID."""
        self.registration: Registration | None = None
        self._on_call = on_call
        self._transport: asyncio.DatagramTransport | None = None
        self._answered: dict[tuple[str, str], tuple[bytes, tuple[str, int]]] = {}
        self._acks: dict[tuple[str, int], asyncio.Future[SipMessage]] = {}
        self._clients: dict[str, asyncio.Future[SipMessage]] = {}
        self._tasks: set[asyncio.Task[object]] = set()
        self._registering: asyncio.Future[None] | None = None
        self._allowed = [ipaddress.ip_network(p, strict=False) for p in config.allowed_peers]
        self._refused: set[str] = set()
        self._ended_ids: dict[str, None] = {}
        self.port = config.port

    @property
    def via_host(self) -> str:
        """``host:port`` written into Via and Contact headers."""
        return f"{self.config.contact_host}:{self.port}"

    async def start(self) -> None:
        """Bind the SIP socket and, when configured, start registering with the PBX."""
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(
            lambda: self, local_addr=(self.config.host, self.config.port)
        )
        assert self._transport is not None  # set by connection_made
        self.port = self._transport.get_extra_info("sockname")[1]
        logger.info("phone.sip.listening host=%s port=%s", self.config.host, self.port)
        if self.config.registrar:
            self.registration = Registration(self, self.config)
            self._registering = asyncio.ensure_future(self.registration.run())

    async def stop(self) -> None:
        """Hang up every call (BYE), unregister, close the socket."""
        for call in list(self.calls.values()):
            call.end("shutdown", send_bye=call.confirmed.is_set())
        if self._registering is not None:
            self._registering.cancel()
            await asyncio.gather(self._registering, return_exceptions=True)
        if self.registration is not None:
            await self.registration.unregister()
        if self._tasks:  # the sessions see their Hangup and finish; the BYEs get answered
            await asyncio.wait(list(self._tasks), timeout=STOP_GRACE_S)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._transport is not None:
            self._transport.close()
        logger.info("phone.sip.stopped")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def error_received(self, exc: Exception) -> None:
        logger.info("phone.sip.socket_error error=%s", exc)

    def _spawn(self, coro: Awaitable[object]) -> asyncio.Task[object]:
        task: asyncio.Task[object] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- sending -------------------------------------------------------------------------------

    def send(self, message: SipMessage, target: tuple[str, int]) -> None:
        """Send one message as it is (no retransmission)."""
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(message.encode(), target)

    def _respond(
        self,
        request: SipMessage,
        status: int,
        source: tuple[str, int],
        *,
        to_tag: str = "",
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
    ) -> bytes:
        """Answer ``request`` to where it came from (symmetric, RFC 3581) and remember the
        answer, so that a retransmitted request gets it again."""
        out = sip.response(
            request, status, to_tag=to_tag, headers=headers, body=body, received=source
        )
        out.headers.append(("Server", "banshi"))
        data = out.encode()
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(data, source)
        key = (request.branch, request.method)
        self._answered[key] = (data, source)
        asyncio.get_running_loop().call_later(TRANSACTION_S, self._answered.pop, key, None)
        return data

    def start_request(self, message: SipMessage, target: tuple[str, int]) -> None:
        """Send a request as a client transaction in the background."""
        self._spawn(self.request(message, target))

    async def request(self, message: SipMessage, target: tuple[str, int]) -> SipMessage | None:
        """Send a non-INVITE request, retransmitted (Timer E) until a final response arrives
        (returned) or the transaction times out (None)."""
        branch = message.branch
        future: asyncio.Future[SipMessage] = asyncio.get_running_loop().create_future()
        self._clients[branch] = future
        interval = T1
        deadline = asyncio.get_running_loop().time() + TRANSACTION_S
        try:
            while True:
                self.send(message, target)
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return None
                try:
                    return await asyncio.wait_for(asyncio.shield(future), min(interval, remaining))
                except asyncio.TimeoutError:
                    interval = min(interval * 2, T2)
        finally:
            self._clients.pop(branch, None)

    # -- receiving -----------------------------------------------------------------------------

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        source = (addr[0], addr[1])
        if self._allowed and not self._is_allowed(source[0]):
            return
        if not data.strip():
            return  # CRLF keep-alive
        try:
            msg = sip.parse(data)
        except SipParseError as error:
            logger.info(
                "phone.sip.malformed from=%s:%s reason=%s answered=%s",
                source[0],
                source[1],
                error.reason,
                error.message is not None,
            )
            if error.message is not None:
                with contextlib.suppress(KeyError, ValueError):
                    self._respond(error.message, 400, source)
            return
        try:
            if msg.is_request:
                self._on_request(msg, source)
            else:
                self._on_response(msg)
        except Exception:  # a bug must cost one message, never the server
            logger.exception("phone.sip.handler_failed method=%s", msg.method or msg.status)

    def _is_allowed(self, host: str) -> bool:
        """Whether SIP from ``host`` is taken (``SipConfig.allowed_peers``); the first datagram
        refused from each address is logged."""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if any(address in network for network in self._allowed):
            return True
        if host not in self._refused:
            self._refused.add(host)
            logger.warning("phone.sip.peer_refused from=%s", host)
        return False

    def _on_response(self, msg: SipMessage) -> None:
        future = self._clients.get(msg.branch)
        if future is not None and not future.done() and msg.status >= 200:
            future.set_result(msg)

    def _on_request(self, msg: SipMessage, source: tuple[str, int]) -> None:
        cached = self._answered.get((msg.branch, msg.method))
        if cached is not None and msg.method != "ACK":
            self.send_raw(*cached)
            return
        if msg.method == "ACK":
            self._on_ack(msg)
        elif msg.method == "INVITE" and not msg.to_tag:
            if msg.call_id in self.calls:  # a forked or repeated INVITE on a new branch
                self._respond(msg, 486, source, to_tag=sip.new_tag())
                return
            self._respond(msg, 100, source)  # at once: a retransmission now finds an answer
            self._spawn(self._on_invite(msg, source))
        elif msg.method == "CANCEL":
            self._on_cancel(msg, source)
        elif msg.method == "OPTIONS":
            self._respond(
                msg,
                200,
                source,
                to_tag=sip.new_tag() if not msg.to_tag else "",
                headers=[("Allow", ALLOW), ("Accept", "application/sdp")],
            )
        elif msg.method in ("BYE", "INFO", "INVITE", "NOTIFY"):
            self._in_dialog(msg, source)
        else:
            self._respond(msg, 405, source, to_tag=sip.new_tag(), headers=[("Allow", ALLOW)])

    def send_raw(self, data: bytes, target: tuple[str, int]) -> None:
        """Send bytes already encoded (a remembered response)."""
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(data, target)

    def _on_ack(self, msg: SipMessage) -> None:
        waiting = self._acks.get((msg.call_id, msg.cseq[0]))
        if waiting is not None and not waiting.done():
            waiting.set_result(msg)

    def _in_dialog(self, msg: SipMessage, source: tuple[str, int]) -> None:
        call = self.calls.get(msg.call_id)
        if call is None or msg.to_tag != call.local_tag:
            if msg.method == "BYE" and msg.call_id in self._ended_ids:
                self._respond(msg, 200, source)  # the call ended first (our BYE crossed theirs)
            else:
                self._respond(msg, 481, source)
            return
        if msg.method == "BYE":
            self._respond(msg, 200, source)
            call.end("bye", send_bye=False)
        elif msg.method == "INFO":
            self._on_info(call, msg, source)
        elif msg.method == "NOTIFY":  # how a transfer (REFER) goes
            self._respond(msg, 200 if call.notified(msg) else 481, source)
        else:
            self._on_reinvite(call, msg, source)

    def _on_info(self, call: SipCall, msg: SipMessage, source: tuple[str, int]) -> None:
        kind = (msg.get("content-type") or "").split(";")[0].strip().lower()
        text = msg.body.decode("utf-8", "replace")
        key = ""
        duration = 0
        if kind == "application/dtmf-relay":
            for line in text.splitlines():
                name, _, value = line.partition("=")
                if name.strip().lower() == "signal":
                    key = value.strip()
                elif name.strip().lower() == "duration" and value.strip().isdigit():
                    duration = int(value.strip())
        elif kind == "application/dtmf":
            key = text.strip()
        elif msg.body:
            self._respond(msg, 415, source, headers=[("Accept", "application/dtmf-relay")])
            return
        key = {"10": "*", "11": "#"}.get(key, key)
        self._respond(msg, 200, source)
        if key in INFO_KEYS:
            call.key(Key(key, duration))

    # -- INVITE --------------------------------------------------------------------------------

    async def _on_invite(self, invite: SipMessage, source: tuple[str, int]) -> None:
        late = not invite.body.strip()  # no offer: ours goes in the 200, the answer in the ACK
        try:
            offer = LATE_OFFER if late else parse_offer(invite.body)
        except SdpError as error:
            logger.info("phone.call.rejected call_id=%s reason=%s", invite.call_id, error)
            data = self._respond(
                invite,
                488,
                source,
                to_tag=sip.new_tag(),
                headers=[("Warning", '305 banshi "Only PCMU, PCMA and telephone-event"')],
            )
            await self._until_ack(invite, data, source)
            return
        stream = RtpStream(
            _peer(offer),
            signalling_ip=source[0],
            timeout_s=self.config.rtp_timeout_s,
            on_key=lambda key: call.key(key),
            on_timeout=lambda: call.end("timeout", send_bye=True),
        )
        try:
            await stream.open(self.config.host, self.config.rtp_ports)
        except OSError as error:
            logger.error(
                "phone.call.rejected call_id=%s reason=rtp_ports error=%s", invite.call_id, error
            )
            data = self._respond(invite, 503, source, to_tag=sip.new_tag())
            await self._until_ack(invite, data, source)
            return
        local_tag = sip.new_tag()
        call = SipCall(self, invite, local_tag=local_tag, stream=stream)
        self.calls[call.call_id] = call
        contact = [("Contact", f"<sip:{self.via_host}>")]
        routes = [("Record-Route", rr) for rr in invite.get_all("record-route")]
        if self.config.ring_ms > 0:
            self._respond(invite, 180, source, to_tag=local_tag, headers=routes + contact)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(call.cancelled.wait(), self.config.ring_ms / 1000)
        if call.ended:
            return  # cancelled while ringing
        host, port, session, version = (
            self.config.contact_host,
            stream.local_port,
            call.session_id,
            call.sdp_version,
        )
        body = (
            offer_sdp(address=host, port=port, session_id=session, version=version)
            if late
            else answer(offer, address=host, port=port, session_id=session, version=version)
        )
        data = self._respond(
            invite,
            200,
            source,
            to_tag=local_tag,
            headers=[
                *routes,
                *contact,
                ("Allow", ALLOW),
                ("Content-Type", "application/sdp"),
            ],
            body=body,
        )
        call.answered = True
        logger.info(
            "phone.call.answered call_id=%s caller=%s codec=%s dtmf=%s",
            call.call_id,
            mask_caller(call.caller),
            offer.law,
            "rfc4733" if offer.event_pt is not None else "info",
        )
        ack = await self._until_ack(invite, data, source)
        if ack is None:
            call.end("no_ack", send_bye=True)
            return
        if late:
            try:
                stream.update(_peer(parse_offer(ack.body)))
            except SdpError as error:
                logger.info("phone.call.rejected call_id=%s reason=%s", call.call_id, error)
                call.end("no_codec", send_bye=True)
                return
        call.confirmed.set()
        await self._run_session(call)

    async def _until_ack(
        self, invite: SipMessage, data: bytes, target: tuple[str, int]
    ) -> SipMessage | None:
        """Retransmit a final response to an INVITE (Timer G, doubling to T2) until its ACK
        arrives (returned) or 32 s have passed (None)."""
        key = (invite.call_id, invite.cseq[0])
        loop = asyncio.get_running_loop()
        waiting = self._acks.setdefault(key, loop.create_future())
        interval = T1
        deadline = loop.time() + TRANSACTION_S
        try:
            while loop.time() < deadline:
                try:
                    timeout = min(interval, deadline - loop.time())
                    return await asyncio.wait_for(asyncio.shield(waiting), timeout)
                except asyncio.TimeoutError:
                    self.send_raw(data, target)
                    interval = min(interval * 2, T2)
            return None
        finally:
            self._acks.pop(key, None)

    async def _run_session(self, call: SipCall) -> None:
        try:
            await self._on_call(call)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("phone.call.session_failed call_id=%s", call.call_id)
        finally:
            if not call.ended:
                await call.hang_up()

    def _on_cancel(self, cancel: SipMessage, source: tuple[str, int]) -> None:
        call = self.calls.get(cancel.call_id)
        if call is None or call.invite_cseq != cancel.cseq[0]:
            self._respond(cancel, 481, source)
            return
        self._respond(cancel, 200, source)
        if call.answered:
            return  # the 200 went first: the CANCEL has no effect (RFC 3261 §9.2)
        call.cancelled.set()
        call.end("cancel", send_bye=False)
        data = self._respond(call.invite, 487, source, to_tag=call.local_tag)
        self._spawn(self._until_ack(call.invite, data, source))

    def _on_reinvite(self, call: SipCall, msg: SipMessage, source: tuple[str, int]) -> None:
        try:
            offer = parse_offer(msg.body)
        except SdpError:
            self._respond(msg, 488, source)
            return
        call.stream.update(_peer(offer))
        call.sdp_version += 1
        body = answer(
            offer,
            address=self.config.contact_host,
            port=call.stream.local_port,
            session_id=call.session_id,
            version=call.sdp_version,
        )
        logger.info("phone.call.held call_id=%s hold=%s", call.call_id, offer.on_hold)
        data = self._respond(
            msg,
            200,
            source,
            headers=[
                ("Contact", f"<sip:{self.via_host}>"),
                ("Content-Type", "application/sdp"),
            ],
            body=body,
        )
        self._spawn(self._until_ack(msg, data, source))

    def forget(self, call: SipCall) -> None:
        """Stop routing requests to an ended call (a late BYE still gets 200)."""
        if self.calls.get(call.call_id) is call:
            del self.calls[call.call_id]
        self._ended_ids[call.call_id] = None
        while len(self._ended_ids) > 1000:
            self._ended_ids.pop(next(iter(self._ended_ids)))


def _peer(offer: Offer) -> Peer:
    return Peer(
        address=offer.address,
        port=offer.port,
        law=offer.law,
        payload_type=offer.payload_type,
        event_pt=offer.event_pt,
        send=not offer.on_hold,
        expect=offer.direction in ("sendrecv", "sendonly") and offer.address != "0.0.0.0",
    )
