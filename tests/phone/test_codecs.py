"""The pure parts of the user agent: G.711, SIP message parsing, SDP, digest, RTP, keys,
the NOTIFYs of a transfer."""

from __future__ import annotations

import struct

import pytest

from channels.phone import g711
from channels.phone.config import PhoneConfig
from channels.phone.digest import DigestError, authorization, parse_challenge
from channels.phone.media import TransferResult
from channels.phone.message import SipParseError, parse, response
from channels.phone.refer import Progress, is_refer_event, progress, result_of, sipfrag_status
from channels.phone.rtp import DtmfDecoder, RtpPacket
from channels.phone.sdp import SdpError, answer, parse_offer
from channels.phone.sip_settings import SipConfig, SipConfigError
from tests.phone.calls import tone


@pytest.mark.parametrize("law", ["PCMU", "PCMA"])
def test_g711_round_trip_keeps_a_tone_close(law: g711.Law) -> None:
    pcm = tone(0.02)
    coded = g711.encode(pcm, law)
    back = g711.decode(coded, law)
    assert len(coded) == 160 and len(back) == 320
    samples = struct.unpack("<160h", pcm)
    decoded = struct.unpack("<160h", back)
    assert max(abs(a - b) for a, b in zip(samples, decoded, strict=True)) < 300
    silence = struct.unpack("<160h", g711.decode(g711.silence(160, law), law))
    assert max(abs(x) for x in silence) <= 8


INVITE = (
    b"INVITE sip:banshi@10.0.0.5 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0, SIP/2.0/UDP 10.0.0.8;branch=z9hG4bKx\r\n"
    b'f: "Zhang" <sip:13912345678@pbx>;tag=abc\r\n'
    b"t: <sip:banshi@10.0.0.5>\r\n"
    b"i: call-1\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"Subject: a folded\r\n  header\r\n"
    b"l: 4\r\n\r\nbodyEXTRA"
)


def test_a_request_is_parsed_with_compact_and_folded_headers() -> None:
    message = parse(INVITE)
    assert (message.method, message.uri) == ("INVITE", "sip:banshi@10.0.0.5")
    assert message.call_id == "call-1"
    assert message.cseq == (7, "INVITE")
    assert message.from_tag == "abc" and message.to_tag == ""
    assert message.branch == "z9hG4bK1"
    assert len(message.get_all("via")) == 3
    assert message.get("subject") == "a folded header"
    assert message.body == b"body"


def test_a_response_copies_vias_and_tags_the_to_header() -> None:
    out = parse(response(parse(INVITE), 180, to_tag="xyz", received=("10.0.0.1", 5062)).encode())
    assert out.status == 180 and out.reason == "Ringing"
    assert out.to_tag == "xyz"
    assert out.get_all("via")[0].endswith(";received=10.0.0.1;rport=5062")
    assert len(out.get_all("via")) == 3
    assert out.get("content-length") == "0"


@pytest.mark.parametrize(
    ("data", "answerable"),
    [
        (b"", False),
        (b"\xff\xfe", False),
        (b"NOT SIP\r\n\r\n", False),
        (INVITE.replace(b"i: call-1\r\n", b""), False),
        (INVITE.replace(b"CSeq: 7 INVITE", b"CSeq: seven INVITE"), True),
        (INVITE.replace(b"CSeq: 7 INVITE", b"CSeq: 7 BYE"), True),
        (INVITE.replace(b"l: 4", b"l: 400"), True),
        (INVITE.replace(b"Subject: a folded", b"Subject a folded"), True),
    ],
)
def test_broken_messages_say_whether_a_400_is_possible(data: bytes, answerable: bool) -> None:
    with pytest.raises(SipParseError) as caught:
        parse(data)
    assert (caught.value.message is not None) is answerable


OFFER = (
    b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    b"m=audio 4000 RTP/AVP 96 8 0 97\r\na=rtpmap:96 opus/48000/2\r\n"
    b"a=rtpmap:97 telephone-event/8000\r\na=sendonly\r\n"
    b"m=video 4002 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\n"
)


def test_an_offer_is_answered_with_its_first_g711_law_and_hold_mirrored() -> None:
    offer = parse_offer(OFFER)
    assert (offer.address, offer.port, offer.law, offer.payload_type) == (
        "10.0.0.1",
        4000,
        "PCMA",
        8,
    )
    assert offer.event_pt == 97 and offer.on_hold
    body = answer(offer, address="10.0.0.5", port=5000, session_id=9, version=2).decode()
    assert "m=audio 5000 RTP/AVP 8 97\r\n" in body
    assert "a=recvonly" in body
    assert "m=video 0 RTP/AVP 99" in body
    assert "o=banshi 9 2 IN IP4 10.0.0.5" in body


@pytest.mark.parametrize(
    "body",
    [
        b"",
        OFFER.replace(b"96 8 0 97", b"96 97"),
        OFFER.replace(b"RTP/AVP 96 8 0 97", b"RTP/SAVP 0 8"),
    ],
)
def test_an_offer_without_plain_g711_is_refused(body: bytes) -> None:
    with pytest.raises(SdpError):
        parse_offer(body)


def test_digest_matches_rfc_2617s_example() -> None:
    challenge = parse_challenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    value = authorization(
        challenge,
        method="GET",
        uri="/dir/index.html",
        user="Mufasa",
        password="Circle Of Life",
        cnonce="0a4f113b",
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in value
    assert "qop=auth" in value and "nc=00000001" in value
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in value


def test_digest_refuses_what_it_cannot_answer() -> None:
    with pytest.raises(DigestError):
        parse_challenge('Digest realm="r", nonce="n", algorithm=SHA-256')
    with pytest.raises(DigestError):
        parse_challenge('Basic realm="r"')


def test_rtp_packets_round_trip_and_junk_is_no_packet() -> None:
    packet = RtpPacket(8, 65535, 123456, 42, True, b"\xd5" * 160)
    assert RtpPacket.parse(packet.encode()) == packet
    assert RtpPacket.parse(b"\x00" * 20) is None
    assert RtpPacket.parse(b"\x80") is None


def _event(key: int, end: bool, duration: int) -> bytes:
    return struct.pack("!BBH", key, (0x80 if end else 0) | 10, duration)


def test_a_key_press_is_one_key_however_many_packets_carry_it() -> None:
    decoder = DtmfDecoder()
    keys = []
    for duration in (160, 320, 480):
        keys += decoder.feed(1000, _event(5, False, duration))
    for _ in range(3):
        keys += decoder.feed(1000, _event(5, True, 800))
    assert [(k.key, k.duration_ms) for k in keys] == [("5", 100)]
    # A press whose end packets were lost ends when the next begins.
    keys = decoder.feed(2000, _event(10, False, 160)) + decoder.feed(3000, _event(11, True, 160))
    assert [k.key for k in keys] == ["*", "#"]


def test_settings_are_checked_when_built_and_the_password_is_not_shown() -> None:
    config = SipConfig(rtp_ports=(10000, 10999), registrar="pbx:5060", user="b", password="s3cret")
    assert "s3cret" not in repr(config)
    assert config.contact_host == "127.0.0.1"
    with pytest.raises(SipConfigError, match="BANSHI_SIP_PUBLIC_HOST"):
        SipConfig(host="0.0.0.0")
    assert SipConfig(host="0.0.0.0", advertise="10.0.0.5").contact_host == "10.0.0.5"
    with pytest.raises(SipConfigError, match="BANSHI_SIP_REGISTER_USER"):
        SipConfig(registrar="pbx")
    with pytest.raises(SipConfigError, match="BANSHI_SIP_RTP_PORT_MIN"):
        SipConfig(rtp_ports=(2000, 1000))
    with pytest.raises(SipConfigError, match="BANSHI_SIP_HOST"):
        SipConfig(host="localhost")
    with pytest.raises(SipConfigError, match="BANSHI_SIP_ALLOWED_PEERS"):
        SipConfig(allowed_peers=("10.0.0.0/8", "pbx.example"))


def _notify(body: bytes, state: str, event: str = "refer") -> bytes:
    return (
        b"NOTIFY sip:banshi@10.0.0.5 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK9\r\n"
        b"From: <sip:13912345678@pbx>;tag=abc\r\nTo: <sip:banshi@10.0.0.5>;tag=ours\r\n"
        b"Call-ID: call-1\r\nCSeq: 3 NOTIFY\r\n"
        + f"o: {event}\r\nSubscription-State: {state}\r\n".encode()
        + b"Content-Type: message/sipfrag;version=2.0\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def test_refer_notifies_are_read_from_their_sipfrag() -> None:
    ringing = parse(_notify(b"SIP/2.0 180 Ringing\r\n", "active;expires=60"))
    assert is_refer_event(ringing) and progress(ringing) == Progress(180, final=False)
    done = progress(parse(_notify(b"SIP/2.0 200 OK\r\n", "terminated;reason=noresource")))
    assert done == Progress(200, final=True) and result_of(done) is TransferResult.DONE
    busy = progress(parse(_notify(b"SIP/2.0 486 Busy Here\r\n", "active")))
    assert busy.final and result_of(busy) is TransferResult.FAILED
    # the subscription ended with no final status: the transfer failed
    cut = progress(parse(_notify(b"garbage", "terminated")))
    assert cut == Progress(0, final=True) and result_of(cut) is TransferResult.FAILED
    assert not is_refer_event(parse(_notify(b"", "active", event="presence")))
    assert sipfrag_status(b"SIP/2.0 603 Declined\r\nVia: x\r\n") == 603


@pytest.mark.parametrize("uri", ["8001", "sip:pbx.example", "sip:8 001@pbx", "tel:8001"])
def test_a_staff_number_that_is_no_sip_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match="no SIP URI"):
        PhoneConfig(refer_to=uri)
    assert PhoneConfig(refer_to="sip:8001@pbx.example:5060").refer_to.endswith(":5060")
