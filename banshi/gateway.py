"""The gateway: its configuration and the app, built by :func:`create_app` from a
:class:`GatewayConfig` by mounting the routers of the channel adapters and of ``handoff``.

Everything with a life (the store's engine, the Rasa client) is created in the lifespan and
closed when the app stops; nothing happens at import time. The lifespan first brings the
database to the newest schema (:func:`banshi.migrate.upgrade_to_head`), then opens the stores.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from banshi.api_docs import installed_swagger_ui, mount_docs
from banshi.draining import Draining
from banshi.migrate import upgrade_to_head
from banshi.phone import build_router as phone_router
from channels.kiosk import routes as kiosk
from channels.kiosk.config import KioskConfig
from channels.phone.config import PhoneConfig
from channels.webchat import routes as webchat
from channels.wechat import routes as wechat
from channels.wechat.config import WeChatConfig
from conversation.delivery import Delivery
from conversation.errors import install_error_handlers
from conversation.metrics import Metrics
from conversation.middleware import BodyLimit, Protections
from conversation.rasa_client import RasaClient, RasaUnavailable
from conversation.service import ConversationService
from conversation.store import ConversationStore
from handoff import api as handoff_api
from handoff.config import HandoffConfig
from handoff.runtime import HandoffRuntime

logger = logging.getLogger(__name__)

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class GatewayConfig:
    """What the gateway needs; units in the names."""

    database_url: str
    rasa_url: str
    rasa_token: str
    service_token: str
    max_text_chars: int = 500
    max_body_bytes: int = 64 * 1024
    """The longest request body read; a longer one is answered ``413 too_large`` unread."""
    rasa_timeout_s: float = 10.0
    rasa_start_within_s: float = 6.0
    """Rasa refuses (``bot_busy``) a turn it could not start this long after it arrived;
    below ``rasa_timeout_s``, so that a turn the gateway gave up on was not run."""
    rasa_turns_in_flight: int = 100
    """The most turns sent to Rasa at once; one more waits up to ``rasa_start_within_s``."""
    turn_memory_s: float = 86_400.0
    """How long the answer of a turn sent with a message id is kept for its retries."""
    sandbox_docs_url: str = ""
    today: date | None = None
    """The pinned calendar day (``BANSHI_TODAY``) the platform and the actions work on;
    reported by ``/healthz``. None: the real calendar."""
    handoff: HandoffConfig = field(default_factory=HandoffConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    wechat: WeChatConfig = field(default_factory=WeChatConfig)
    phone: PhoneConfig = field(default_factory=PhoneConfig)
    swagger_ui_dir: str = field(default_factory=installed_swagger_ui)
    """The Swagger UI files for ``/api/docs`` ("": no docs page; see ``banshi.api_docs``)."""
    shutdown_drain_s: float = 0.0
    """After SIGTERM, ``/readyz`` answers 503 this long before the server stops accepting."""

    def __post_init__(self) -> None:
        if not 0 < self.rasa_start_within_s < self.rasa_timeout_s:
            raise ValueError("rasa_start_within_s must be above 0 and below rasa_timeout_s")
        if self.rasa_turns_in_flight < 1:
            raise ValueError("rasa_turns_in_flight must be at least 1")


async def _purge_turns(conversations: ConversationService, memory_s: float) -> None:
    """Every so often, forget the answers of turns older than ``memory_s``."""
    while True:
        try:
            purged = await conversations.turn_log.purge(memory_s)
            if purged:
                logger.info("gateway.turns.purged count=%d", purged)
        except Exception as error:  # the next round tries again
            logger.warning("gateway.turns.purge_failed error=%s", type(error).__name__)
        await asyncio.sleep(min(3600.0, memory_s / 4))


async def _dependency_checks(service: ConversationService) -> dict[str, Any]:
    """``ok`` or what is wrong, for the store and for Rasa (a model loaded)."""
    checks: dict[str, Any] = {}
    try:
        await service.store.count_conversations()
        checks["store"] = "ok"
    except Exception as error:
        checks["store"] = f"error: {type(error).__name__}"
    try:
        status = await service.rasa.status()
        checks["rasa"] = "ok" if status.get("model_file") else "no model"
    except RasaUnavailable:
        checks["rasa"] = "unreachable"
    return checks


def create_app(config: GatewayConfig) -> FastAPI:
    """The gateway for ``config``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await upgrade_to_head(config.database_url)
        store = await ConversationStore.open(config.database_url)
        rasa = RasaClient(
            config.rasa_url,
            config.rasa_token,
            timeout_s=config.rasa_timeout_s,
            start_within_s=config.rasa_start_within_s,
            turns_in_flight=config.rasa_turns_in_flight,
        )
        conversations = ConversationService(store, rasa, delivery=Delivery())
        app.state.conversations = conversations
        app.state.handoff = await HandoffRuntime.start(
            config=config.handoff, conversations=conversations, service_token=config.service_token
        )
        purging = asyncio.create_task(_purge_turns(conversations, config.turn_memory_s))
        uninstall = app.state.draining.install()
        logger.info("gateway.start rasa=%s", config.rasa_url)
        try:
            yield
        finally:
            app.state.draining.begin()
            uninstall()
            purging.cancel()
            await app.state.handoff.stop()
            await rasa.aclose()
            await store.close()

    app = FastAPI(
        title="banshi gateway",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.config = config
    app.state.metrics = Metrics()
    app.state.draining = Draining(config.shutdown_drain_s)
    install_error_handlers(app)
    # The last added is the outermost: Protections sees every answer, the body limit's too.
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(Protections, metrics=app.state.metrics)
    mount_docs(app, config.swagger_ui_dir)
    app.include_router(webchat.router)
    app.include_router(handoff_api.router)
    app.include_router(kiosk.build_router(config.kiosk))
    app.include_router(wechat.build_router(config.wechat))
    app.include_router(phone_router(config.phone))  # after the kiosk's: it uses its voice engine
    app.mount("/static", StaticFiles(directory=webchat.STATIC_DIR), name="static")
    app.mount(
        "/console/static", StaticFiles(directory=handoff_api.STATIC_DIR), name="console-static"
    )

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """Health: the store answers and Rasa has a model loaded (503 otherwise)."""
        checks = await _dependency_checks(request.app.state.conversations)
        ok = all(value == "ok" for value in checks.values())
        pinned = request.app.state.config.today
        calendar = {
            "today": (pinned or datetime.now(BEIJING).date()).isoformat(),
            "pinned": pinned is not None,
        }
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "checks": checks, "calendar": calendar},
            status_code=200 if ok else 503,
        )

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Readiness for a load balancer: 503 only from the moment a shutdown begins (SIGTERM),
        so that no new work is sent to a gateway that is stopping. The store and Rasa are
        reported (``degraded``) but do not make it 503: they are shared by every gateway, and
        a gateway taken out for them could no longer tell citizens in plain words what is
        wrong, nor serve 转人工 while the bot is down (conversation/outage.py)."""
        if request.app.state.draining.started:
            return JSONResponse(
                {"status": "stopping", "checks": {"shutdown": "begun"}}, status_code=503
            )
        checks = await _dependency_checks(request.app.state.conversations)
        ok = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ok" if ok else "degraded", "checks": checks})

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics(request: Request) -> str:
        """Prometheus metrics (no personal data)."""
        return str(request.app.state.metrics.render())

    return app
