"""banshi hands a call to a staff number with REFER (RFC 3515): baresip as the caller follows
it to a second baresip (the staff phone) — directly and with Kamailio in the path — or to a
number that is busy; raw UDP for a phone that refuses REFER and for NOTIFYs nobody asked for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from channels.phone.media import Call, Hangup, Key, TransferResult
from channels.phone.message import parse, response
from channels.phone.sip import SipServer
from channels.phone.sip_settings import SipConfig
from tests.phone.baresip import Baresip, need_baresip
from tests.phone.calls import tone, write_wav
from tests.phone.kamailio import PASSWORD, running_kamailio
from tests.phone.peer import Peer, udp
from tests.phone.test_register_kamailio import until_up


class Transferor:
    """An ``on_call`` that hands every call to ``target`` at once and hangs up when that
    worked; otherwise it keeps the call and records its keys until it ends."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.results: asyncio.Queue[TransferResult] = asyncio.Queue()
        self.keys: asyncio.Queue[str] = asyncio.Queue()
        self.ended: asyncio.Queue[Hangup] = asyncio.Queue()

    async def __call__(self, call: Call) -> None:
        async def watch() -> None:
            async for event in call.events():
                if isinstance(event, Key):
                    self.keys.put_nowait(event.key)
                else:
                    self.ended.put_nowait(event)

        watching = asyncio.ensure_future(watch())
        result = await call.transfer(self.target)
        self.results.put_nowait(result)
        if result is TransferResult.DONE:
            await call.hang_up()
        await watching


@asynccontextmanager
async def serve(transferor: Transferor) -> AsyncIterator[SipServer]:
    server = SipServer(SipConfig(port=0), transferor)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def busy_phone() -> AsyncIterator[int]:
    """A phone on UDP that answers every INVITE with 486 Busy Here; its SIP port."""
    phone = await udp()
    assert phone.transport is not None

    async def answer() -> None:
        while True:
            data, source = await phone.queue.get()
            message = parse(data)
            if message.method == "INVITE" and phone.transport is not None:
                busy = response(message, 486, to_tag="busy1")
                phone.transport.sendto(busy.encode(), source)

    answering = asyncio.ensure_future(answer())
    try:
        yield int(phone.transport.get_extra_info("sockname")[1])
    finally:
        answering.cancel()
        phone.transport.close()


@pytest.fixture
def voice(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "voice.wav", tone(30, hertz=440))


async def test_baresip_follows_the_refer_to_the_staff_phone_and_banshi_leaves_the_call(
    tmp_path: Path, voice: Path
) -> None:
    need_baresip()
    staff = Baresip(tmp_path / "staff", voice, user="staff", answer=True)
    caller = Baresip(tmp_path / "caller", voice)
    await staff.start()
    await caller.start()
    try:
        transferor = Transferor(f"sip:staff@127.0.0.1:{staff.sip_port}")
        async with serve(transferor) as server:
            await caller.command("dial", f"sip:banshi@127.0.0.1:{server.port}")
            result = await asyncio.wait_for(transferor.results.get(), 20)
            ended = await asyncio.wait_for(transferor.ended.get(), 10)
            await staff.wait_event("CALL_ESTABLISHED")
            assert server.calls == {}
    finally:
        await caller.stop()
        await staff.stop()
    assert result is TransferResult.DONE, caller.log()
    assert ended == Hangup("local")
    staff_uri = f"sip:staff@127.0.0.1:{staff.sip_port}"
    transfers = [e["param"] for e in caller.events if e.get("type") == "TRANSFER"]
    assert transfers == [f"<{staff_uri}>"]
    reached = [e for e in caller.events if e.get("type") == "CALL_ESTABLISHED"]
    assert [e["peeruri"] for e in reached][-1] == staff_uri, "the caller talks to staff"


async def test_a_busy_staff_number_leaves_the_caller_with_banshi(
    tmp_path: Path, voice: Path
) -> None:
    need_baresip()
    caller = Baresip(tmp_path / "caller", voice)
    await caller.start()
    try:
        async with busy_phone() as busy_port:
            transferor = Transferor(f"sip:staff@127.0.0.1:{busy_port}")
            async with serve(transferor) as server:
                await caller.command("dial", f"sip:banshi@127.0.0.1:{server.port}")
                result = await asyncio.wait_for(transferor.results.get(), 20)
                await caller.command("sndcode", "5")
                key = await asyncio.wait_for(transferor.keys.get(), 5)
                assert len(server.calls) == 1
                await caller.command("hangup")
                ended = await asyncio.wait_for(transferor.ended.get(), 5)
    finally:
        await caller.stop()
    assert result is TransferResult.FAILED, caller.log()
    assert key == "5", "the call with banshi goes on"
    assert ended == Hangup("bye")


async def test_a_phone_that_refuses_refer_keeps_the_call() -> None:
    transferor = Transferor("sip:staff@127.0.0.1:5999")
    async with serve(transferor) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        refer = await peer.receive()
        assert refer.method == "REFER"
        assert refer.get("refer-to") == "<sip:staff@127.0.0.1:5999>"
        assert refer.cseq[1] == "REFER" and refer.to_tag == peer.tag
        peer.send(response(refer, 603).encode())
        result = await asyncio.wait_for(transferor.results.get(), 5)
        assert len(server.calls) == 1
        peer.send(peer.request("BYE"))
        await peer.response(200)
    assert result is TransferResult.REFUSED


async def test_notifies_report_the_transfer_and_a_failure_status_ends_it() -> None:
    transferor = Transferor("sip:staff@127.0.0.1:5999")
    async with serve(transferor) as server:
        peer = await Peer.open(server.port)
        await peer.call()
        refer = await peer.receive()
        peer.send(response(refer, 202).encode())

        def notify(sipfrag: str, state: str) -> bytes:
            return peer.request(
                "NOTIFY",
                body=sipfrag,
                content_type="message/sipfrag;version=2.0",
                extra=["Event: refer", f"Subscription-State: {state}"],
            )

        peer.send(notify("SIP/2.0 100 Trying\r\n", "active;expires=60"))
        await peer.response(200)
        peer.send(notify("SIP/2.0 180 Ringing\r\n", "active;expires=60"))
        await peer.response(200)
        assert transferor.results.empty()
        peer.send(notify("SIP/2.0 480 Temporarily Unavailable\r\n", "terminated;reason=noresource"))
        await peer.response(200)
        result = await asyncio.wait_for(transferor.results.get(), 5)
        # A NOTIFY after the transfer is over belongs to no subscription.
        peer.send(notify("SIP/2.0 200 OK\r\n", "terminated"))
        await peer.response(481)
        assert len(server.calls) == 1
    assert result is TransferResult.FAILED


async def test_the_refer_and_its_notifies_pass_through_kamailio(
    tmp_path: Path, voice: Path
) -> None:
    need_baresip()
    staff = Baresip(tmp_path / "staff", voice, user="staff", answer=True)
    caller = Baresip(tmp_path / "caller", voice)
    transferor = Transferor("")
    with running_kamailio(tmp_path) as kamailio:
        await until_up(kamailio)
        config = SipConfig(
            port=0, registrar=f"127.0.0.1:{kamailio}", user="banshi", password=PASSWORD
        )
        server = SipServer(config, transferor)
        await server.start()
        await staff.start()
        await caller.start()
        try:
            assert server.registration is not None
            assert await asyncio.wait_for(server.registration.wait_settled(), 10) == "registered"
            transferor.target = f"sip:staff@127.0.0.1:{staff.sip_port}"
            await caller.command("dial", f"sip:banshi@127.0.0.1:{kamailio}")
            result = await asyncio.wait_for(transferor.results.get(), 20)
            ended = await asyncio.wait_for(transferor.ended.get(), 10)
            await staff.wait_event("CALL_ESTABLISHED")
        finally:
            await caller.stop()
            await staff.stop()
            await server.stop()
        log = (tmp_path / "kamailio.log").read_text(errors="replace")
    assert result is TransferResult.DONE, caller.log() + log[-2000:]
    assert ended == Hangup("local")
