"""baresip calls banshi's SIP user agent on loopback: audio both ways, keys, hang-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from channels.phone.dialog import SipCall
from channels.phone.media import FRAME_BYTES, PHONE_RATE, Hangup
from channels.phone.sip import SipServer
from channels.phone.sip_settings import SipConfig
from tests.phone.baresip import Baresip, need_baresip, wav_pcm
from tests.phone.calls import Recorder, loud_frames, tone, write_wav

GREETING_S = 2.0


@pytest.fixture
def voice(tmp_path: Path) -> Path:
    """The caller's voice: 20 s of a 440 Hz tone (baresip hangs up when its file ends)."""
    return write_wav(tmp_path / "voice.wav", tone(20, hertz=440))


@asynccontextmanager
async def serve(recorder: Recorder) -> AsyncIterator[SipServer]:
    """banshi's user agent on a free loopback port, running ``recorder`` per call."""
    server = SipServer(SipConfig(port=0), recorder)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def sending(call: SipCall, wanted: bool) -> bool:
    """Wait (5 s at most) until the call's RTP sending is ``wanted``; whether it got there."""
    for _ in range(500):
        if call.stream.peer.send is wanted:
            return True
        await asyncio.sleep(0.01)
    return False


@pytest.mark.parametrize("codec", ["PCMU", "PCMA"])
async def test_a_caller_hears_the_greeting_and_its_keys_arrive_once_in_order(
    tmp_path: Path, voice: Path, codec: str
) -> None:
    need_baresip()
    recorder = Recorder(tone(GREETING_S))
    phone = Baresip(tmp_path / "baresip", voice, codecs=codec)
    async with serve(recorder) as server:
        await phone.start()
        try:
            await phone.command("dial", f"sip:banshi@127.0.0.1:{server.port}")
            record = await recorder.next_call()
            await phone.wait_event("CALL_ESTABLISHED")
            assert record.call.caller == "13912345678"
            for key in "1#*0":
                await phone.command("sndcode", key)
                assert await asyncio.wait_for(record.key_arrived.get(), 5) == key
            await asyncio.wait_for(record.played_event.wait(), GREETING_S + 5)
            await phone.command("hangup")
            await asyncio.wait_for(record.done.wait(), 5)
            await phone.wait_event("CALL_CLOSED")
        finally:
            await phone.stop()
    assert record.keys == ["1", "#", "*", "0"]
    assert record.hangup == Hangup("bye")
    assert record.played is True
    assert record.loud > 50, "the caller's voice (baresip's aufile) reached the session"
    heard = wav_pcm(phone.heard())
    heard_s = loud_frames(heard) * FRAME_BYTES / 2 / PHONE_RATE
    assert GREETING_S - 0.5 <= heard_s <= GREETING_S + 0.4, heard_s


async def test_banshi_hangs_up_and_the_caller_is_told(tmp_path: Path, voice: Path) -> None:
    need_baresip()
    recorder = Recorder(tone(0.5), hang_up=True)
    phone = Baresip(tmp_path / "baresip", voice)
    async with serve(recorder) as server:
        await phone.start()
        try:
            await phone.command("dial", f"sip:banshi@127.0.0.1:{server.port}")
            record = await recorder.next_call()
            closed = await phone.wait_event("CALL_CLOSED")
            await asyncio.wait_for(record.done.wait(), 5)
        finally:
            await phone.stop()
        assert server.calls == {}
    assert record.hangup == Hangup("local")
    assert record.call.ended
    assert closed["class"] == "call"


async def test_the_caller_holds_and_resumes_and_the_call_goes_on(
    tmp_path: Path, voice: Path
) -> None:
    need_baresip()
    recorder = Recorder(b"")
    phone = Baresip(tmp_path / "baresip", voice)
    async with serve(recorder) as server:
        await phone.start()
        try:
            await phone.command("dial", f"sip:banshi@127.0.0.1:{server.port}")
            record = await recorder.next_call()
            await phone.wait_event("CALL_ESTABLISHED")
            call = server.calls[record.call.call_id]
            assert call.stream.peer.send
            await phone.command("hold")
            held = await sending(call, False)  # the re-INVITE answered: banshi stops sending
            await phone.command("resume")
            resumed = await sending(call, True)
            await phone.command("hangup")
            await asyncio.wait_for(record.done.wait(), 5)
        finally:
            await phone.stop()
    assert held and resumed
    assert record.hangup == Hangup("bye")
