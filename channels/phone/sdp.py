"""SDP offer/answer (RFC 3264) for one audio stream: G.711 and telephone-event, nothing else.

The answer keeps the offer's order of preference between PCMU and PCMA, takes the offer's
payload type for telephone-event (8000 Hz), refuses every other media line (port 0) and mirrors
hold: an offer that is ``sendonly`` gets ``recvonly``, ``inactive`` gets ``inactive``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.phone.g711 import Law

STATIC = {0: "PCMU", 8: "PCMA"}
"""RFC 3551 static payload types of the two G.711 laws."""
DEFAULT_EVENT_PT = 101
_MIRROR = {
    "sendrecv": "sendrecv",
    "sendonly": "recvonly",
    "recvonly": "sendonly",
    "inactive": "inactive",
}


class SdpError(ValueError):
    """An offer that cannot be answered (no audio we speak, or no SDP at all)."""


@dataclass(frozen=True)
class Offer:
    """What the caller's offer says about the audio stream we can take."""

    address: str
    """Where the caller wants RTP (c= line)."""
    port: int
    """Its RTP port (m= line)."""
    law: Law
    """The G.711 law chosen (the caller's first of PCMU/PCMA)."""
    payload_type: int
    """Payload type of ``law`` (0 or 8)."""
    event_pt: int | None
    """The caller's telephone-event/8000 payload type, or None when it offers none."""
    direction: str
    """The caller's direction attribute: sendrecv, sendonly, recvonly or inactive."""
    media_lines: tuple[str, ...]
    """Every m= line of the offer, in order (the answer must have as many)."""
    audio_index: int
    """Which of ``media_lines`` is the audio stream answered."""

    @property
    def on_hold(self) -> bool:
        """Whether the caller sends us nothing to answer (hold: sendonly, inactive, or the old
        RFC 2543 c=0.0.0.0)."""
        return self.direction in ("sendonly", "inactive") or self.address == "0.0.0.0"


@dataclass
class _Media:
    """One m= section while parsing."""

    line: str
    address: str = ""
    direction: str = ""
    rtpmap: dict[int, str] = field(default_factory=dict)


def parse_offer(body: bytes) -> Offer:
    """The audio stream to answer in an SDP offer; raises :class:`SdpError` when none fits."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SdpError("SDP is not UTF-8") from error
    if not text.strip():
        raise SdpError("no SDP offer")
    session_addr = ""
    session_dir = "sendrecv"
    media: list[_Media] = []
    for raw in text.splitlines():
        kind, _, value = raw.strip().partition("=")
        current = media[-1] if media else None
        if kind == "m":
            media.append(_Media(value))
        elif kind == "c":
            addr = value.split()[-1].split("/")[0] if value.split() else ""
            if current is None:
                session_addr = addr
            else:
                current.address = addr
        elif kind == "a":
            name, _, arg = value.partition(":")
            if name in _MIRROR:
                if current is None:
                    session_dir = name
                else:
                    current.direction = name
            elif name == "rtpmap" and current is not None:
                number, _, encoding = arg.partition(" ")
                if number.strip().isdigit():
                    current.rtpmap[int(number)] = encoding.strip().upper()
    for index, m in enumerate(media):
        fields = m.line.split()
        if len(fields) < 4 or fields[0] != "audio" or fields[2] != "RTP/AVP":
            continue
        if not fields[1].isdigit() or int(fields[1]) == 0:
            continue
        law: Law | None = None
        chosen = -1
        event_pt: int | None = None
        for fmt in fields[3:]:
            if not fmt.isdigit():
                continue
            pt = int(fmt)
            name = m.rtpmap.get(pt, STATIC.get(pt, ""))
            if law is None and name in ("PCMU/8000", "PCMA/8000", "PCMU", "PCMA"):
                law = "PCMU" if name.startswith("PCMU") else "PCMA"
                chosen = pt
            elif name == "TELEPHONE-EVENT/8000" and event_pt is None:
                event_pt = pt
        if law is None:
            continue
        address = m.address or session_addr
        if not address:
            raise SdpError("no connection address")
        return Offer(
            address=address,
            port=int(fields[1]),
            law=law,
            payload_type=chosen,
            event_pt=event_pt,
            direction=m.direction or session_dir,
            media_lines=tuple(x.line for x in media),
            audio_index=index,
        )
    raise SdpError("no PCMU or PCMA audio offered")


LATE_OFFER = Offer(
    address="0.0.0.0",
    port=0,
    law="PCMU",
    payload_type=0,
    event_pt=DEFAULT_EVENT_PT,
    direction="inactive",
    media_lines=("audio 0 RTP/AVP 0 8 101",),
    audio_index=0,
)
"""Where a call without an offer in its INVITE stands until the ACK brings the answer: nothing
sent, nothing expected."""


def offer_sdp(*, address: str, port: int, session_id: int, version: int) -> bytes:
    """Our offer, for an INVITE that came without one (late offer, RFC 3261 §13.2.1): both
    G.711 laws and telephone-event, sendrecv."""
    lines = [
        "v=0",
        f"o=banshi {session_id} {version} IN IP4 {address}",
        "s=banshi",
        f"c=IN IP4 {address}",
        "t=0 0",
        f"m=audio {port} RTP/AVP 0 8 {DEFAULT_EVENT_PT}",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        f"a=rtpmap:{DEFAULT_EVENT_PT} telephone-event/8000",
        f"a=fmtp:{DEFAULT_EVENT_PT} 0-15",
        "a=ptime:20",
        "a=sendrecv",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def answer(offer: Offer, *, address: str, port: int, session_id: int, version: int) -> bytes:
    """Our SDP answer to ``offer``: RTP at ``address``:``port``, the chosen law, the offer's
    telephone-event type, the mirrored direction, every other media line refused."""
    lines = [
        "v=0",
        f"o=banshi {session_id} {version} IN IP4 {address}",
        "s=banshi",
        f"c=IN IP4 {address}",
        "t=0 0",
    ]
    for index, media_line in enumerate(offer.media_lines):
        if index != offer.audio_index:
            fields = media_line.split()
            lines.append(f"m={fields[0]} 0 {' '.join(fields[2:])}")
            continue
        formats = [str(offer.payload_type)]
        if offer.event_pt is not None:
            formats.append(str(offer.event_pt))
        lines.append(f"m=audio {port} RTP/AVP {' '.join(formats)}")
        lines.append(f"a=rtpmap:{offer.payload_type} {offer.law}/8000")
        if offer.event_pt is not None:
            lines += [
                f"a=rtpmap:{offer.event_pt} telephone-event/8000",
                f"a=fmtp:{offer.event_pt} 0-15",
            ]
        lines.append("a=ptime:20")
        direction = "inactive" if offer.address == "0.0.0.0" else _MIRROR[offer.direction]
        lines.append(f"a={direction}")
    return ("\r\n".join(lines) + "\r\n").encode()
