"""REGISTER against a registrar played from raw UDP: 423 Interval Too Brief, which Kamailio's
stock configuration does not send."""

from __future__ import annotations

import asyncio

from channels.phone.message import parse, response
from channels.phone.sip import SipServer
from channels.phone.sip_settings import SipConfig
from tests.phone.calls import Recorder
from tests.phone.peer import udp


async def test_a_423_is_answered_with_the_registrars_minimum() -> None:
    registrar = await udp()
    assert registrar.transport is not None
    port = registrar.transport.get_extra_info("sockname")[1]
    config = SipConfig(port=0, registrar=f"127.0.0.1:{port}", user="banshi", password="pw")
    server = SipServer(config, Recorder(b""))
    await server.start()
    try:
        data, source = await asyncio.wait_for(registrar.queue.get(), 5)
        first = parse(data)
        too_brief = response(first, 423, headers=[("Min-Expires", "1800")])
        registrar.transport.sendto(too_brief.encode(), source)
        data, source = await asyncio.wait_for(registrar.queue.get(), 5)
        second = parse(data)
        ok = response(
            second, 200, headers=[("Contact", f"{second.header('contact')};expires=1800")]
        )
        registrar.transport.sendto(ok.encode(), source)
        assert server.registration is not None
        assert await asyncio.wait_for(server.registration.wait_settled(), 5) == "registered"
    finally:
        await server.stop()
    assert first.get("expires") == "300"
    assert second.get("expires") == "1800"
    assert server.registration.expires_s == 1800
