"""A raw SIP and RTP peer on UDP, for the protocol cases no real phone would send."""

from __future__ import annotations

import asyncio
import secrets
import struct

from channels.phone.message import SipMessage, parse
from channels.phone.rtp import RtpPacket

OFFER_PCMU = "0 101", ["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"]


class _Queue(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait((data, addr))


async def udp(host: str = "127.0.0.1") -> _Queue:
    """A UDP socket whose datagrams arrive in a queue."""
    _, protocol = await asyncio.get_running_loop().create_datagram_endpoint(
        _Queue, local_addr=(host, 0)
    )
    return protocol


class Peer:
    """One caller: a SIP socket, an RTP socket, and the requests of one call."""

    def __init__(self, server_port: int, sip: _Queue, rtp: _Queue) -> None:
        self.server = ("127.0.0.1", server_port)
        self.sip = sip
        self.rtp = rtp
        self.call_id = secrets.token_hex(6)
        self.tag = secrets.token_hex(4)
        self.to_tag = ""
        self.cseq = 1
        self.invite_branch = ""
        self.media: tuple[str, int] | None = None
        self.seq = 0
        self.ts = 0

    @classmethod
    async def open(cls, server_port: int) -> Peer:
        """A peer with fresh sockets."""
        return cls(server_port, await udp(), await udp())

    @property
    def sip_port(self) -> int:
        assert self.sip.transport is not None
        return int(self.sip.transport.get_extra_info("sockname")[1])

    @property
    def rtp_port(self) -> int:
        assert self.rtp.transport is not None
        return int(self.rtp.transport.get_extra_info("sockname")[1])

    def sdp(self, formats: str = "0 101", attributes: list[str] | None = None) -> str:
        """An offer for this peer's RTP socket."""
        lines = [
            "v=0",
            "o=peer 1 1 IN IP4 127.0.0.1",
            "s=-",
            "c=IN IP4 127.0.0.1",
            "t=0 0",
            f"m=audio {self.rtp_port} RTP/AVP {formats}",
            *(attributes if attributes is not None else OFFER_PCMU[1]),
        ]
        return "\r\n".join(lines) + "\r\n"

    def request(
        self,
        method: str,
        *,
        body: str = "",
        content_type: str = "application/sdp",
        branch: str | None = None,
        cseq: int | None = None,
        extra: list[str] | None = None,
    ) -> bytes:
        """A request of this call as bytes."""
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        branch = branch or "z9hG4bK" + secrets.token_hex(6)
        to = "<sip:banshi@127.0.0.1>" + (f";tag={self.to_tag}" if self.to_tag else "")
        lines = [
            f"{method} sip:banshi@127.0.0.1:{self.server[1]} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.sip_port};branch={branch};rport",
            "Max-Forwards: 70",
            f"From: <sip:13800001111@127.0.0.1>;tag={self.tag}",
            f"To: {to}",
            f"Call-ID: {self.call_id}",
            f"CSeq: {cseq} {method}",
            f"Contact: <sip:13800001111@127.0.0.1:{self.sip_port}>",
            *(extra or []),
        ]
        if body:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body.encode())}")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    def send(self, data: bytes) -> None:
        """Send raw bytes to the server's SIP port."""
        assert self.sip.transport is not None
        self.sip.transport.sendto(data, self.server)

    async def receive(self, timeout: float = 5.0) -> SipMessage:
        """The next SIP message from the server."""
        data, _ = await asyncio.wait_for(self.sip.queue.get(), timeout)
        return parse(data)

    async def response(self, status: int, timeout: float = 5.0) -> SipMessage:
        """The next response with ``status``, skipping others (100 Trying, 180)."""
        while True:
            message = await self.receive(timeout)
            if message.status == status:
                return message
            if message.status >= 200 and message.status != status:
                raise AssertionError(f"got {message.status} {message.reason}, not {status}")

    async def call(self, sdp: str | None = None) -> SipMessage:
        """INVITE, wait for 200, ACK; the 200 is returned and the media address noted."""
        self.invite_branch = "z9hG4bK" + secrets.token_hex(6)
        self.send(self.request("INVITE", body=sdp or self.sdp(), branch=self.invite_branch))
        ok = await self.response(200)
        self.to_tag = ok.to_tag
        self.ack(ok)
        self.media = media_address(ok.body)
        return ok

    def ack(self, response: SipMessage) -> None:
        """ACK a final response to the INVITE."""
        self.send(self.request("ACK", cseq=response.cseq[0]))

    def send_rtp(
        self,
        payload: bytes,
        *,
        payload_type: int = 0,
        timestamp: int | None = None,
        marker: bool = False,
        source: _Queue | None = None,
    ) -> None:
        """One RTP packet to the server's media address (from ``source``, else our socket)."""
        assert self.media is not None
        sock = (source or self.rtp).transport
        assert sock is not None
        self.seq += 1
        if timestamp is None:
            self.ts += 160
        packet = RtpPacket(
            payload_type,
            self.seq & 0xFFFF,
            self.ts if timestamp is None else timestamp,
            0x1234,
            marker,
            payload,
        )
        sock.sendto(packet.encode(), self.media)

    def send_key(self, key: str, timestamp: int) -> None:
        """One RFC 4733 press as a phone sends it: three updates, then the end three times."""
        event = "0123456789*#".index(key)
        for duration in (160, 320, 480):
            self.send_rtp(
                struct.pack("!BBH", event, 10, duration), payload_type=101, timestamp=timestamp
            )
        for _ in range(3):
            self.send_rtp(
                struct.pack("!BBH", event, 0x80 | 10, 640), payload_type=101, timestamp=timestamp
            )


def media_address(sdp: bytes) -> tuple[str, int]:
    """The c= address and the audio m= port of an SDP body."""
    address = ""
    port = 0
    for line in sdp.decode().splitlines():
        if line.startswith("c="):
            address = line.split()[-1]
        elif line.startswith("m=audio"):
            port = int(line.split()[1])
    return address, port
