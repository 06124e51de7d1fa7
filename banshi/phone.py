"""The phone channel in the gateway: the call sessions, the handoff trigger and the SIP user agent,
put together in a router lifespan (after the kiosk's, which starts the voice engine).

The phone channel (``app.state.phone``) always exists, so staff replies to a call reach it and
the tests can hand it calls; the SIP user agent (``channels.phone.sip.SipServer``) starts only
when the phone is enabled. This is the one place that names the user agent's class.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI

from channels.phone.channel import PhoneChannel
from channels.phone.config import PhoneConfig
from channels.phone.media import Call
from channels.phone.recording import purge_recordings
from channels.phone.session import AskPerson, Transferred
from handoff.audit import SYSTEM
from handoff.models import Reason
from handoff.runtime import HandoffRuntime
from handoff.service import HandoffRequest

logger = logging.getLogger(__name__)

PURGE_EVERY_S = 86_400.0
"""How often old recordings are looked for (also once at start)."""


class SipServer(Protocol):
    """What the gateway needs of the SIP user agent."""

    async def start(self) -> None:
        """Listen for calls (and REGISTER at the PBX when configured)."""
        ...

    async def stop(self) -> None:
        """Hang up every call and stop listening."""
        ...


OnCall = Callable[[Call], Awaitable[None]]


def sip_server(config: PhoneConfig, on_call: OnCall) -> SipServer | None:
    """The SIP user agent for ``config``, or None (logged) when this build has none."""
    try:
        from channels.phone.sip import SipServer as UserAgent
        from channels.phone.sip_settings import SipConfig
    except ImportError as error:
        logger.error("phone.sip.unavailable error=%s", error)
        return None
    try:
        sip = SipConfig(
            host=config.sip_host,
            port=config.sip_port,
            advertise=config.sip_public_host,
            rtp_ports=(config.rtp_port_min, config.rtp_port_max),
            rtp_timeout_s=config.rtp_timeout_s,
            allowed_peers=config.sip_allowed_peers,
            registrar=config.register_uri,
            user=config.register_user,
            password=config.register_password,
        )
    except ValueError as error:
        logger.error("phone.sip.misconfigured error=%s", error)
        return None
    server: SipServer = UserAgent(sip, on_call)
    return server


def handoff_requester(handoff: HandoffRuntime) -> AskPerson:
    """``ask_person`` for call sessions: queue the conversation (``dtmf_0``, ``silence``) and
    push the queue notice, which the phone channel speaks."""

    async def ask_person(conversation_id: str, reason: str) -> None:
        await handoff.service.request(
            HandoffRequest(conversation_id, Reason(reason), accessibility={"channel": "phone"}),
            actor=SYSTEM,
            announce=True,
        )

    return ask_person


def handoff_transferred(handoff: HandoffRuntime) -> Transferred:
    """``transferred`` for call sessions: the caller is with the staff number now, so the
    handoff the bot opened for "转人工" ends (outcome ``transferred``)."""

    async def transferred(conversation_id: str) -> None:
        await handoff.service.transferred(conversation_id)

    return transferred


async def _purge_recordings(config: PhoneConfig) -> None:
    while True:
        try:
            await asyncio.to_thread(purge_recordings, config.recordings_dir, config.recording_days)
        except OSError as error:
            logger.warning("phone.recordings.purge_failed error=%s", type(error).__name__)
        await asyncio.sleep(PURGE_EVERY_S)


def build_router(config: PhoneConfig) -> APIRouter:
    """A router without routes whose lifespan runs the phone channel."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        channel = PhoneChannel(
            config=config,
            voice=getattr(app.state, "voice", None),
            conversations=app.state.conversations,
            ask_person=handoff_requester(app.state.handoff),
            transferred=handoff_transferred(app.state.handoff),
            metrics=getattr(app.state, "metrics", None),
        )
        channel.register()
        app.state.phone = channel
        tasks: list[asyncio.Task[Any]] = [
            asyncio.create_task(_purge_recordings(config), name="phone-recordings")
        ]
        server: SipServer | None = None
        if config.enabled:
            tasks.append(asyncio.create_task(channel.preload(), name="phone-preload"))
            server = sip_server(config, channel.run_call)
            if server is not None:
                try:
                    await server.start()
                    logger.info(
                        "phone.sip.listening host=%s port=%d", config.sip_host, config.sip_port
                    )
                except OSError as error:
                    logger.error("phone.sip.start_failed error=%s", error)
                    server = None
        try:
            yield
        finally:
            if server is not None:
                await server.stop()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    return APIRouter(lifespan=lifespan)
