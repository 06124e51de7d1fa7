"""``GET /wechat`` (URL verification) and ``POST /wechat`` (messages and events).

:func:`build_router` gives the gateway a router with its own lifespan: with the channel
configured it builds the API client, the OpenID store and the channel, and registers the
delivery hook that sends staff replies and queue notices through the customer-service API.
Without the credentials both routes answer 404 ``wechat_disabled``.

WeChat reads a passive reply from the body; ``success`` (or an empty body) means "no reply
now". Errors are the gateway's JSON error form with a code, never a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from channels.wechat import protocol
from channels.wechat.channel import CHANNEL, WeChatChannel
from channels.wechat.config import WeChatConfig
from channels.wechat.outbound import WeChatApi
from channels.wechat.sessions import WeChatSessions
from conversation.errors import ApiError
from conversation.metrics import Metrics

logger = logging.getLogger(__name__)


def _disabled() -> ApiError:
    return ApiError(404, "wechat_disabled", "微信公众号渠道没有开通。")


def _channel(request: Request) -> WeChatChannel:
    channel: WeChatChannel | None = getattr(request.app.state, "wechat", None)
    if channel is None:
        raise _disabled()
    return channel


def build_router(config: WeChatConfig) -> APIRouter:
    """The WeChat routes, with a lifespan that owns the channel when it is configured."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not config.enabled:
            app.state.wechat = None
            logger.info("wechat.disabled missing=%s", ",".join(config.missing()))
            yield
            return
        conversations = app.state.conversations
        channel = WeChatChannel(
            config,
            conversations=conversations,
            sessions=WeChatSessions(conversations.store.engine, idle_s=config.idle_s),
            api=WeChatApi(config, redis_url=config.redis_url),
            voice=getattr(app.state, "voice", None),
            max_text_chars=app.state.config.max_text_chars,
        )
        conversations.delivery.register_channel(CHANNEL, channel.push)
        app.state.wechat = channel
        logger.info("wechat.start api=%s", config.base_url)
        yield

    router = APIRouter(lifespan=lifespan)

    @router.get("/wechat", response_class=PlainTextResponse, include_in_schema=False)
    async def verify(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        echostr: str = "",
    ) -> str:
        """URL verification: WeChat's ``echostr`` back when the signature is ours."""
        channel = _channel(request)
        return protocol.echo(channel.config, protocol.Query(signature, timestamp, nonce), echostr)

    @router.post("/wechat", include_in_schema=False)
    async def receive(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        """A message or event: the passive reply, or ``success`` (answer through the API)."""
        channel = _channel(request)
        query = protocol.Query(signature, timestamp, nonce, encrypt_type, msg_signature)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > config.max_xml_bytes:
                raise ApiError(400, "wechat_xml_too_large", "消息太大了。")
        metrics: Metrics = request.app.state.metrics
        try:
            inbound = protocol.read_message(config, query, body)
        except ApiError as error:
            metrics.error(error.code)
            raise
        started = time.perf_counter()
        reply = await channel.handle(inbound)
        # "passive": answered in this response; "success": later through the API, or no answer.
        metrics.turn(CHANNEL, "passive" if reply else "success", time.perf_counter() - started)
        if reply is None:
            return PlainTextResponse("success")
        xml = protocol.passive_reply(config, query, inbound, reply)
        return Response(xml, media_type="application/xml; charset=utf-8")

    return router
