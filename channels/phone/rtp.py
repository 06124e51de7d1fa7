"""RTP for one call (RFC 3550): G.711 audio both ways at 20 ms, RFC 4733 keys in.

One UDP socket per call. A single paced loop sends a packet every 20 ms on an absolute clock
(no drift): the next frame of what is being played, or silence between prompts, which keeps
NAT bindings and the PBX's own RTP timeout alive; nothing while the caller holds the call.

Packets are taken only from the caller's media address. Symmetric RTP latching is allowed once,
before the first packet: a packet from the address in the SDP, or from the signalling peer's IP
on any port (a PBX or phone that sends from another port than it announced), fixes the peer;
from then on everything else is ignored, and replies go where the packets came from.
"""

from __future__ import annotations

import asyncio
import logging
import random
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from channels.phone import g711
from channels.phone.g711 import Law
from channels.phone.media import FRAME_BYTES, FRAME_MS, Key

logger = logging.getLogger(__name__)

SAMPLES_PER_FRAME = FRAME_BYTES // 2
FRAME_S = FRAME_MS / 1000
MAX_QUEUED_FRAMES = 500
"""Received frames kept for a reader that falls behind (10 s); the oldest go first."""
EVENT_KEYS = "0123456789*#"
"""RFC 4733 events 0-11 as keys; 12-15 (A-D) and the rest are ignored."""


@dataclass(frozen=True)
class RtpPacket:
    """The fields of an RTP packet this user agent uses."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket | None:
        """The packet in ``data``, or None when it is no RTP version 2 packet."""
        if len(data) < 12 or data[0] >> 6 != 2:
            return None
        first, second, sequence, timestamp, ssrc = struct.unpack("!BBHII", data[:12])
        offset = 12 + 4 * (first & 0x0F)
        if first & 0x10:  # header extension
            if len(data) < offset + 4:
                return None
            offset += 4 + 4 * struct.unpack("!H", data[offset + 2 : offset + 4])[0]
        end = len(data)
        if first & 0x20 and data:  # padding
            end -= data[-1]
        if offset > end:
            return None
        return cls(second & 0x7F, sequence, timestamp, ssrc, bool(second & 0x80), data[offset:end])

    def encode(self) -> bytes:
        """The packet on the wire (no CSRC, no extension)."""
        second = (0x80 if self.marker else 0) | self.payload_type
        return struct.pack("!BBHII", 0x80, second, self.sequence, self.timestamp, self.ssrc) + (
            self.payload
        )


class DtmfDecoder:
    """RFC 4733 events to keys, each press once: the packets of one press share a timestamp,
    its end is sent three times, and a press whose end packets are lost ends when the next
    press starts."""

    def __init__(self) -> None:
        self._done: deque[int] = deque(maxlen=32)
        self._pending: tuple[int, str, int] | None = None

    def feed(self, timestamp: int, payload: bytes) -> list[Key]:
        """Keys completed by this event packet (usually none or one)."""
        if len(payload) < 4 or timestamp in self._done:
            return []
        event, flags, duration = payload[0], payload[1], struct.unpack("!H", payload[2:4])[0]
        keys: list[Key] = []
        if self._pending is not None and self._pending[0] != timestamp:
            keys.append(Key(self._pending[1], self._pending[2] // 8))
            self._done.append(self._pending[0])
            self._pending = None
        if event >= len(EVENT_KEYS):
            return keys
        if flags & 0x80:
            keys.append(Key(EVENT_KEYS[event], duration // 8))
            self._done.append(timestamp)
            self._pending = None
        else:
            self._pending = (timestamp, EVENT_KEYS[event], duration)
        return keys


@dataclass
class Peer:
    """Where the caller's RTP is (from SDP) and how to code it."""

    address: str
    port: int
    law: Law
    payload_type: int
    event_pt: int | None
    send: bool
    """Whether to send audio (False while the caller holds the call)."""
    expect: bool
    """Whether the caller sends audio (False while held inactive: no timeout then)."""


class RtpStream(asyncio.DatagramProtocol):
    """The RTP session of one call: paced sending, receiving into 20 ms frames, keys, and the
    timeout that ends a call whose audio stopped."""

    def __init__(
        self,
        peer: Peer,
        *,
        signalling_ip: str,
        timeout_s: float,
        on_key: Callable[[Key], None],
        on_timeout: Callable[[], None],
    ) -> None:
        self.peer = peer
        self.frames: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.received_packets = 0
        self.sent_packets = 0
        self.ignored_packets = 0
        self._signalling_ip = signalling_ip
        self._timeout_s = timeout_s
        self._on_key = on_key
        self._on_timeout = on_timeout
        self._latched: tuple[str, int] | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._dtmf = DtmfDecoder()
        self._pending_pcm = b""
        self._last_seq: int | None = None
        self._last_ssrc: int | None = None
        self._plays: deque[tuple[memoryview, asyncio.Future[bool]]] = deque()
        self._offset = 0
        self._seq = random.randrange(1 << 16)
        self._ts = random.randrange(1 << 32)
        self._ssrc = random.randrange(1 << 32)
        self._first = True
        self._last_rx = 0.0
        self._task: asyncio.Task[None] | None = None
        self.local_port = 0

    async def open(self, host: str, ports: tuple[int, int] | None) -> None:
        """Bind the socket (in ``ports`` when given, else any free port) and start sending."""
        loop = asyncio.get_running_loop()
        candidates = [0]
        if ports:
            evens = list(range(ports[0] + ports[0] % 2, ports[1], 2))
            start = random.randrange(len(evens))
            candidates = evens[start:] + evens[:start]
        for port in candidates:
            try:
                await loop.create_datagram_endpoint(lambda: self, local_addr=(host, port))
                break
            except OSError:
                continue
        else:
            raise OSError(f"no free RTP port in {ports}")
        assert self._transport is not None  # set by connection_made
        self.local_port = self._transport.get_extra_info("sockname")[1]
        self._last_rx = loop.time()
        self._task = loop.create_task(self._send_loop())

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def update(self, peer: Peer) -> None:
        """Apply a new offer (re-INVITE: hold, resume, a moved media address)."""
        moved = (peer.address, peer.port) != (self.peer.address, self.peer.port)
        self.peer = peer
        if moved:
            self._latched = None
        self._last_rx = asyncio.get_running_loop().time()

    def _accept(self, addr: tuple[str, int]) -> bool:
        if self._latched is not None:
            return addr == self._latched
        if addr == (self.peer.address, self.peer.port) or addr[0] in (
            self.peer.address,
            self._signalling_ip,
        ):
            self._latched = addr
            return True
        return False

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        source = (addr[0], addr[1])
        packet = RtpPacket.parse(data)
        if packet is None or not self._accept(source):
            self.ignored_packets += 1
            if self.ignored_packets in (1, 100):
                logger.info("phone.rtp.ignored from=%s:%s", addr[0], addr[1])
            return
        self.received_packets += 1
        self._last_rx = asyncio.get_running_loop().time()
        if packet.ssrc != self._last_ssrc:  # a new source (the PBX re-bridged): new numbering
            self._last_ssrc, self._last_seq = packet.ssrc, None
        if self._last_seq is not None:
            behind = (self._last_seq - packet.sequence) & 0xFFFF
            if behind < 0x8000:  # a duplicate or a late packet: its time has passed
                return
        self._last_seq = packet.sequence
        peer = self.peer
        if peer.event_pt is not None and packet.payload_type == peer.event_pt:
            for key in self._dtmf.feed(packet.timestamp, packet.payload):
                self._on_key(key)
        elif packet.payload_type in (0, 8) and packet.payload_type == peer.payload_type:
            self._push(g711.decode(packet.payload, peer.law))

    def _push(self, pcm: bytes) -> None:
        """Re-cut received audio (any ptime) into 20 ms frames for the reader."""
        self._pending_pcm += pcm
        while len(self._pending_pcm) >= FRAME_BYTES:
            frame, self._pending_pcm = (
                self._pending_pcm[:FRAME_BYTES],
                self._pending_pcm[FRAME_BYTES:],
            )
            if self.frames.qsize() >= MAX_QUEUED_FRAMES:
                self.frames.get_nowait()
            self.frames.put_nowait(frame)

    async def play(self, pcm: bytes) -> bool:
        """Queue ``pcm`` for sending; True once its last frame went out, False if stopped."""
        if self._transport is None or self._transport.is_closing():
            return False
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._plays.append((memoryview(pcm), done))
        return await done

    def stop_playing(self) -> None:
        """Drop everything queued for sending; the waiting plays return False."""
        while self._plays:
            _, done = self._plays.popleft()
            if not done.done():
                done.set_result(False)
        self._offset = 0

    def _next_frame(self) -> bytes | None:
        while self._plays:
            pcm, done = self._plays[0]
            if done.done():  # cancelled by its caller
                self._plays.popleft()
                self._offset = 0
                continue
            frame = bytes(pcm[self._offset : self._offset + FRAME_BYTES])
            self._offset += FRAME_BYTES
            if self._offset >= len(pcm):
                self._plays.popleft()
                self._offset = 0
                done.set_result(True)
            return frame.ljust(FRAME_BYTES, b"\0")
        return None

    async def _send_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while self._transport is not None and not self._transport.is_closing():
            frame = self._next_frame()
            peer = self.peer
            if peer.send:
                payload = (
                    g711.encode(frame, peer.law)
                    if frame is not None
                    else g711.silence(SAMPLES_PER_FRAME, peer.law)
                )
                packet = RtpPacket(
                    peer.payload_type, self._seq, self._ts, self._ssrc, self._first, payload
                )
                self._transport.sendto(packet.encode(), self._latched or (peer.address, peer.port))
                self._first = False
                self.sent_packets += 1
                self._seq = (self._seq + 1) & 0xFFFF
            self._ts = (self._ts + SAMPLES_PER_FRAME) & 0xFFFFFFFF
            now = loop.time()
            if peer.expect and now - self._last_rx > self._timeout_s:
                self._on_timeout()
                return
            next_at += FRAME_S
            if next_at < now - 0.2:  # the loop was starved: start the clock again
                next_at = now
            await asyncio.sleep(max(0.0, next_at - now))

    def close(self) -> None:
        """Stop sending and receiving; queued plays return False, the reader gets the end."""
        self.stop_playing()
        if self._transport is not None:
            self._transport.close()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self.frames.put_nowait(None)
