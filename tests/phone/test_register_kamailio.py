"""Kamailio as the PBX: banshi registers with digest authentication, and a baresip call
routed through Kamailio to banshi's account reaches the session."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from channels.phone.media import Hangup
from channels.phone.sip import SipServer
from channels.phone.sip_settings import SipConfig
from tests.phone.baresip import Baresip, need_baresip
from tests.phone.calls import Recorder, tone, write_wav
from tests.phone.kamailio import PASSWORD, running_kamailio
from tests.phone.peer import Peer


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[int]:
    """A Kamailio on a free loopback port; yields the port."""
    with running_kamailio(tmp_path) as port:
        yield port


async def until_up(port: int) -> None:
    """Wait until Kamailio answers an OPTIONS (any status)."""
    peer = await Peer.open(port)
    for _ in range(50):
        peer.send(peer.request("OPTIONS"))
        try:
            await peer.receive(timeout=0.2)
            return
        except asyncio.TimeoutError:
            continue
    raise AssertionError("kamailio did not answer")


@asynccontextmanager
async def banshi(registrar: int, password: str, recorder: Recorder) -> AsyncIterator[SipServer]:
    """banshi's user agent registering as ``banshi`` at the Kamailio on ``registrar``."""
    server = SipServer(
        SipConfig(port=0, registrar=f"127.0.0.1:{registrar}", user="banshi", password=password),
        recorder,
    )
    await until_up(registrar)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_a_wrong_password_is_refused_and_reported(
    kamailio: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with banshi(kamailio, "wrong", Recorder(b"")) as server:
        assert server.registration is not None
        state = await asyncio.wait_for(server.registration.wait_settled(), 10)
        assert state == "refused"
        assert server.registration.last_status == 401
    assert "phone.register.refused" in caplog.text
    assert "wrong" not in caplog.text


async def test_banshi_registers_and_a_call_through_kamailio_reaches_the_session(
    kamailio: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    need_baresip()
    caplog.set_level(logging.INFO)
    voice = tmp_path / "voice.wav"
    write_wav(voice, tone(20, hertz=440))
    recorder = Recorder(tone(1.0), hang_up=True)
    phone = Baresip(tmp_path / "baresip", voice, user="13812345678")
    async with banshi(kamailio, PASSWORD, recorder) as server:
        assert server.registration is not None
        assert await asyncio.wait_for(server.registration.wait_settled(), 10) == "registered"
        assert server.registration.expires_s > 0
        await phone.start()
        try:
            await phone.command("dial", f"sip:banshi@127.0.0.1:{kamailio}")
            record = await recorder.next_call()
            await phone.wait_event("CALL_CLOSED", timeout=15)
            await asyncio.wait_for(record.done.wait(), 5)
        finally:
            await phone.stop()
    assert record.call.caller == "13812345678"
    assert record.played is True
    assert record.hangup == Hangup("local")
    assert "phone.register.ok" in caplog.text
    assert PASSWORD not in caplog.text
    assert "13812345678" not in caplog.text
