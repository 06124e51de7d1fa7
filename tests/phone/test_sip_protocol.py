"""Protocol cases driven from raw UDP: malformed messages, offers we cannot take, CANCEL,
OPTIONS, hold, INFO and RFC 4733 keys, RTP from elsewhere, a call that goes silent, many calls."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from channels.phone import g711
from channels.phone.dialog import SipCall
from channels.phone.media import Call, Hangup
from channels.phone.rtp import RtpPacket
from channels.phone.sip import SipServer
from channels.phone.sip_settings import SipConfig
from tests.phone.calls import Recorder, loud_frames, tone
from tests.phone.peer import Peer, udp


@asynccontextmanager
async def serve(recorder: Recorder, **settings: object) -> AsyncIterator[SipServer]:
    """banshi's user agent on a free loopback port."""
    server = SipServer(SipConfig(port=0, **settings), recorder)  # type: ignore[arg-type]
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def processed(call: Call, packets: int) -> None:
    """Wait until the call's RTP socket has taken ``packets`` datagrams (kept or ignored)."""
    assert isinstance(call, SipCall)
    for _ in range(500):
        if call.stream.received_packets + call.stream.ignored_packets >= packets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{packets} RTP packets were not all taken")


async def processed_sent(call: SipCall, packets: int) -> None:
    """Wait until the call has sent ``packets`` RTP packets in all."""
    for _ in range(500):
        if call.stream.sent_packets >= packets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{packets} RTP packets were not sent")


async def test_options_is_answered_for_pbx_health_checks() -> None:
    async with serve(Recorder(b"")) as server:
        peer = await Peer.open(server.port)
        peer.send(peer.request("OPTIONS"))
        ok = await peer.response(200)
    assert "INVITE" in (ok.get("allow") or "")
    assert ok.to_tag


async def test_malformed_messages_get_400_or_are_dropped_and_the_server_goes_on() -> None:
    async with serve(Recorder(b"")) as server:
        peer = await Peer.open(server.port)
        for garbage in (
            b"\x00\xff\x10garbage",
            b"HELLO WORLD\r\n\r\n",
            b"INVITE sip:x SIP/2.0\r\n",
        ):
            peer.send(garbage)
        # A request with the headers a response needs, but a broken header line: 400.
        broken = peer.request("OPTIONS").replace(b"Max-Forwards: 70", b"Max Forwards 70")
        peer.send(broken)
        bad = await peer.response(400)
        # A Content-Length longer than the body: 400.
        peer.send(peer.request("OPTIONS", body="x", content_type="text/plain")[:-1])
        short = await peer.response(400)
        # Still serving.
        peer.send(peer.request("OPTIONS"))
        await peer.response(200)
    assert bad.call_id == peer.call_id
    assert short.call_id == peer.call_id


async def test_an_offer_without_g711_is_refused_with_488() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        offer = peer.sdp("96 9", ["a=rtpmap:96 opus/48000/2", "a=rtpmap:9 G722/8000"])
        peer.send(peer.request("INVITE", body=offer))
        refused = await peer.response(488)
        peer.ack(refused)
        peer.send(peer.request("OPTIONS"))
        await peer.response(200)
        assert server.calls == {}
    assert recorder.records == []


async def test_the_answer_keeps_the_offers_law_and_event_type() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        offer = peer.sdp(
            "8 0 96 100",
            ["a=rtpmap:96 opus/48000/2", "a=rtpmap:100 telephone-event/8000", "a=sendrecv"],
        )
        ok = await peer.call(offer)
        peer.send(peer.request("BYE"))
        await peer.response(200)
    body = ok.body.decode()
    assert "m=audio " in body and " RTP/AVP 8 100\r\n" in body
    assert "a=rtpmap:8 PCMA/8000" in body
    assert "a=rtpmap:100 telephone-event/8000" in body
    assert ok.get("content-type") == "application/sdp"


async def test_cancel_before_the_answer_gets_487_and_no_session() -> None:
    recorder = Recorder(b"")
    async with serve(recorder, ring_ms=10_000) as server:
        peer = await Peer.open(server.port)
        peer.invite_branch = "z9hG4bKcancelme"
        invite = peer.request("INVITE", body=peer.sdp(), branch=peer.invite_branch)
        peer.send(invite)
        await peer.response(180)
        peer.send(peer.request("CANCEL", branch=peer.invite_branch, cseq=peer.cseq))
        messages = [await peer.receive(), await peer.receive()]
        statuses = sorted((m.status, m.cseq[1]) for m in messages)
        terminated = next(m for m in messages if m.status == 487)
        peer.ack(terminated)
        assert server.calls == {}
    assert statuses == [(200, "CANCEL"), (487, "INVITE")]
    assert recorder.records == []


async def test_bye_for_an_unknown_call_gets_481() -> None:
    async with serve(Recorder(b"")) as server:
        peer = await Peer.open(server.port)
        peer.to_tag = "nosuchtag"
        peer.send(peer.request("BYE"))
        await peer.response(481)


async def test_the_200_is_retransmitted_until_the_ack() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        peer.send(peer.request("INVITE", body=peer.sdp()))
        first = await peer.response(200)
        again = await peer.response(200, timeout=2)  # T1 = 0.5 s later
        assert recorder.records == []  # no session before the ACK
        peer.to_tag = first.to_tag
        peer.ack(first)
        record = await recorder.next_call()
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert again.body == first.body


async def test_keys_by_rfc4733_and_info_arrive_once_each_in_order() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        record = await recorder.next_call()
        # Each key is awaited before the next: RTP and SIP come on two sockets, and the order
        # between sockets is not kept.
        peer.send_key("5", timestamp=8000)
        assert await asyncio.wait_for(record.key_arrived.get(), 5) == "5"
        peer.send_key("5", timestamp=16000)  # the same key pressed again: a new press
        assert await asyncio.wait_for(record.key_arrived.get(), 5) == "5"
        peer.send(
            peer.request(
                "INFO", body="Signal=*\r\nDuration=160\r\n", content_type="application/dtmf-relay"
            )
        )
        await peer.response(200)
        assert await asyncio.wait_for(record.key_arrived.get(), 5) == "*"
        peer.send(peer.request("INFO", body="#", content_type="application/dtmf"))
        await peer.response(200)
        peer.send(peer.request("INFO", body="hello", content_type="text/plain"))
        await peer.response(415)
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert record.keys == ["5", "5", "*", "#"]
    assert record.hangup == Hangup("bye")


async def test_rtp_from_an_unexpected_address_is_ignored() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        record = await recorder.next_call()
        call = server.calls[peer.call_id]
        stranger = await udp("127.0.0.2")  # neither the SDP's nor the signalling address
        loud = g711.encode(tone(0.02), "PCMU")
        quiet = g711.silence(160, "PCMU")
        for _ in range(10):
            peer.send_rtp(loud, source=stranger)
        peer.send_rtp(quiet)  # the caller's own first packet: latched
        other_port = await udp()  # the right address, another port, after latching
        for _ in range(10):
            peer.send_rtp(loud, source=other_port)
        for _ in range(5):
            peer.send_rtp(quiet)
        await processed(call, 26)
        assert call.stream.ignored_packets == 20
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert record.loud == 0


async def test_hold_stops_our_audio_and_resume_restarts_it() -> None:
    recorder = Recorder(tone(30))
    async with serve(recorder, rtp_timeout_s=1.0) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        record = await recorder.next_call()
        await asyncio.wait_for(peer.rtp.queue.get(), 2)  # our audio arrives
        peer.send(
            peer.request(
                "INVITE", body=peer.sdp().replace("a=rtpmap:101", "a=inactive\r\na=rtpmap:101")
            )
        )
        held = await peer.response(200)
        peer.ack(held)
        call = server.calls[peer.call_id]
        sent_before = call.stream.sent_packets
        # A window longer than the RTP timeout: a held call must survive it, and we send nothing
        # in it (75 packets if we did).
        await asyncio.sleep(1.5)
        sent_while_held = call.stream.sent_packets - sent_before
        assert not record.call.ended
        peer.send(peer.request("INVITE", body=peer.sdp()))
        resumed = await peer.response(200)
        peer.ack(resumed)
        sent_before = call.stream.sent_packets
        await asyncio.wait_for(peer.rtp.queue.get(), 2)
        await processed_sent(call, sent_before + 5)  # sending again, not a straggler of before
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert "a=inactive" in held.body.decode()
    assert "a=sendrecv" in resumed.body.decode()
    assert sent_while_held == 0
    assert record.hangup == Hangup("bye")


async def test_a_call_whose_rtp_stops_ends_with_timeout_and_a_bye() -> None:
    recorder = Recorder(b"")
    async with serve(recorder, rtp_timeout_s=0.5) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        record = await recorder.next_call()
        bye = await peer.receive(timeout=5)
        peer.send(
            b"SIP/2.0 200 OK\r\n"
            + b"".join(
                f"{name}: {value}\r\n".encode()
                for name, value in bye.headers
                if name.lower() in ("via", "from", "to", "call-id", "cseq")
            )
            + b"Content-Length: 0\r\n\r\n"
        )
        await asyncio.wait_for(record.done.wait(), 5)
    assert bye.method == "BYE"
    assert bye.call_id == peer.call_id
    assert record.hangup == Hangup("timeout")


async def _one_call(server: SipServer) -> Peer:
    peer = await Peer.open(server.port)
    await peer.call()
    return peer


def _speak_and_key(peer: Peer, key: str) -> None:
    payload = g711.encode(tone(0.02), "PCMU")
    for _ in range(25):
        peer.send_rtp(payload)
    peer.send_key(key, timestamp=peer.ts + 160)


async def test_two_then_ten_calls_at_once() -> None:
    # (The waits are generous: on a loaded machine ten calls' packets queue up; the test is
    # about every call getting its audio and its key once, not about speed.)
    for count in (2, 10):
        recorder = Recorder(tone(0.4))
        async with serve(recorder) as server:
            peers = await asyncio.gather(*(_one_call(server) for _ in range(count)))
            records = [await recorder.next_call() for _ in range(count)]
            # Every call is answered and its session started: now each caller speaks and keys
            # (as a caller does after hearing the answer, never before the 200 OK's ACK).
            for index, peer in enumerate(peers):
                _speak_and_key(peer, str(index % 10))
            await asyncio.gather(*(asyncio.wait_for(r.played_event.wait(), 30) for r in records))
            for record in records:
                await asyncio.wait_for(record.key_arrived.get(), 30)
            assert len(server.calls) == count
            for peer in peers:
                peer.send(peer.request("BYE"))
            for peer in peers:
                await peer.response(200)
            await asyncio.gather(*(asyncio.wait_for(r.done.wait(), 30) for r in records))
        by_call = {r.call.call_id: r for r in records}
        for index, peer in enumerate(peers):
            record = by_call[peer.call_id]
            assert record.keys == [str(index % 10)]
            assert record.hangup == Hangup("bye")
            assert record.played is True
            assert record.loud >= 20
            heard = 0
            while not peer.rtp.queue.empty():
                data, _ = peer.rtp.queue.get_nowait()
                heard += loud_frames(g711.decode(data[12:], "PCMU"))
            assert heard >= 15, (count, index, heard)


async def test_a_retransmitted_invite_gets_the_same_answers_and_makes_one_call() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        invite = peer.request("INVITE", body=peer.sdp(), branch="z9hG4bKagain")
        peer.send(invite)
        first = await peer.response(200)
        peer.send(invite)
        second = await peer.response(200)
        peer.to_tag = first.to_tag
        peer.ack(first)
        record = await recorder.next_call()
        assert len(server.calls) == 1
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert second.to_tag == first.to_tag and second.body == first.body
    assert len(recorder.records) == 1


async def test_every_truncation_of_an_invite_is_answered_or_dropped_never_a_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with serve(Recorder(b"")) as server:
        peer = await Peer.open(server.port)
        invite = peer.request("INVITE", body=peer.sdp(), branch="z9hG4bKcut")
        for end in range(1, len(invite) - 1, 7):
            peer.send(invite[:end])
        for flipped in range(0, len(invite), 31):  # a byte gone bad here and there
            peer.send(invite[:flipped] + b"\x00" + invite[flipped + 1 :])
        peer.send(peer.request("OPTIONS"))
        while True:  # answers to the broken ones come first (some copy a broken CSeq)
            data, _ = await asyncio.wait_for(peer.sip.queue.get(), 5)
            if data.startswith(b"SIP/2.0 200") and b" OPTIONS\r\n" in data:
                break
    assert "phone.sip.handler_failed" not in caplog.text
    assert "Traceback" not in caplog.text
    assert "phone.sip.malformed" in caplog.text


async def test_an_invite_without_an_offer_gets_ours_and_the_ack_carries_the_answer() -> None:
    recorder = Recorder(tone(1.0))
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        peer.send(peer.request("INVITE"))
        ok = await peer.response(200)
        peer.to_tag = ok.to_tag
        answer = peer.sdp("8 101", ["a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000"])
        peer.send(peer.request("ACK", cseq=ok.cseq[0], body=answer))
        record = await recorder.next_call()
        data, _ = await asyncio.wait_for(peer.rtp.queue.get(), 2)
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert " RTP/AVP 0 8 101\r\n" in ok.body.decode()
    assert data[1] & 0x7F == 8, "audio comes in the law the answer chose (PCMA)"


async def test_duplicates_are_dropped_and_a_new_rtp_source_is_heard_from_its_first_packet() -> None:
    recorder = Recorder(b"")
    async with serve(recorder) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        record = await recorder.next_call()
        call = server.calls[peer.call_id]
        loud = g711.encode(tone(0.02), "PCMU")
        assert peer.media is not None and peer.rtp.transport is not None
        first = RtpPacket(0, 1000, 160, 0x1111, False, loud).encode()
        for _ in range(3):  # one packet, sent three times
            peer.rtp.transport.sendto(first, peer.media)
        # The PBX re-bridges: another SSRC, numbering from far below.
        peer.rtp.transport.sendto(RtpPacket(0, 7, 320, 0x2222, True, loud).encode(), peer.media)
        await processed(call, 4)
        peer.send(peer.request("BYE"))
        await peer.response(200)
        await asyncio.wait_for(record.done.wait(), 5)
    assert call.stream.ignored_packets == 0
    assert record.loud == 2, "the first packet once, and the new source's"


async def test_sip_from_outside_the_allowed_peers_is_dropped_unanswered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with serve(Recorder(b""), allowed_peers=("127.0.0.2/32",)) as server:
        outsider = await Peer.open(server.port)  # from 127.0.0.1
        outsider.send(outsider.request("OPTIONS"))
        outsider.send(outsider.request("INVITE", body=outsider.sdp()))
        pbx = Peer(server.port, await udp("127.0.0.2"), await udp("127.0.0.2"))
        pbx.send(pbx.request("OPTIONS"))
        await pbx.response(200)  # the allowed peer is answered ...
        assert outsider.sip.queue.empty()  # ... the other, sent first, was not
        assert server.calls == {}
    assert caplog.text.count("phone.sip.peer_refused from=127.0.0.1") == 1
