"""Everything of the handoff part that lives as long as the gateway, built in its lifespan.

:meth:`HandoffRuntime.start` creates the stores, the services and the queue clock (on the tables
the gateway's migrations made), and plugs the service into the conversation core (the staff
side of the mode check, and an observer of every stored message for the console feed). With
``console_redis_url`` set (scale profile) the console feed is relayed to the other gateways.
:meth:`stop` ends the clock and the relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from conversation.service import ConversationService
from handoff.audit import AuditLog
from handoff.clock import Clock, utc_now
from handoff.config import HandoffConfig
from handoff.events import EventHub
from handoff.handoff_store import HandoffStore
from handoff.hours import WorkingHours
from handoff.proxy import ProxyService
from handoff.proxy_store import ProxyStore
from handoff.relay import RedisRelay
from handoff.service import HandoffService
from handoff.staff_store import StaffStore
from handoff.throttle import LoginThrottle, RedisThrottleStore
from platform_client import PlatformClient

logger = logging.getLogger(__name__)

PLATFORM_READ_TIMEOUT_S = 5.0
"""The staff desk waits longer for the platform than a conversation turn does."""


@dataclass
class HandoffRuntime:
    """The handoff part's live objects (``app.state.handoff``)."""

    config: HandoffConfig
    service_token: str
    staff: StaffStore
    handoffs: HandoffStore
    proxies: ProxyStore
    audit: AuditLog
    hub: EventHub
    hours: WorkingHours
    service: HandoffService
    proxy: ProxyService
    throttle: LoginThrottle
    platform: PlatformClient | None = None
    clock: Clock = utc_now
    relay: RedisRelay | None = None
    _ticker: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    async def start(
        cls,
        *,
        config: HandoffConfig,
        conversations: ConversationService,
        service_token: str,
        clock: Clock = utc_now,
        run_clock: bool = True,
    ) -> HandoffRuntime:
        """Build the part and wire it into the conversation core."""
        engine = conversations.store.engine
        hours = WorkingHours(config.working_hours, config.timezone)
        staff = StaffStore(engine, clock)
        handoffs = HandoffStore(engine, clock)
        audit = AuditLog(engine, clock)
        hub = EventHub()
        service = HandoffService(
            config=config,
            conversations=conversations,
            handoffs=handoffs,
            staff=staff,
            audit=audit,
            hub=hub,
            hours=hours,
            clock=clock,
        )
        proxies = ProxyStore(engine, clock)
        platform = (
            PlatformClient(
                config.platform_url.rstrip("/"),
                config.platform_client_key,
                read_timeout_s=PLATFORM_READ_TIMEOUT_S,
            )
            if config.platform_url
            else None
        )
        proxy = ProxyService(
            store=proxies,
            handoffs=service,
            audit=audit,
            hub=hub,
            platform=platform,
            proxy_days=config.proxy_days,
            clock=clock,
        )
        service.consent_handler = proxy.consent_turn
        conversations.staff_side = service
        conversations.delivery.observe(service.on_messages)
        runtime = cls(
            config=config,
            service_token=service_token,
            staff=staff,
            handoffs=handoffs,
            proxies=proxies,
            audit=audit,
            hub=hub,
            hours=hours,
            service=service,
            proxy=proxy,
            throttle=LoginThrottle(
                RedisThrottleStore.from_url(config.console_redis_url)
                if config.console_redis_url
                else None,
                clock=clock,
            ),
            platform=platform,
            clock=clock,
        )
        if config.demo_accounts:
            from handoff.demo import ensure_demo_accounts

            await ensure_demo_accounts(staff, config.demo_password)
        if config.console_redis_url:
            runtime.relay = RedisRelay(config.console_redis_url, hub)
            await runtime.relay.start()
        if run_clock:
            runtime._ticker = asyncio.create_task(runtime._run_clock(), name="handoff-clock")
        logger.info(
            "handoff.start hours=%r claim_timeout_s=%s",
            config.working_hours,
            config.claim_timeout_s,
        )
        return runtime

    async def _run_clock(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick_s)
            try:
                await self.service.tick()
            except Exception:
                logger.exception("handoff.clock.failed")

    async def stop(self) -> None:
        """Stop the queue clock and the relay, and close the platform client."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self.relay is not None:
            await self.relay.close()
            self.relay = None
        if isinstance(self.throttle.store, RedisThrottleStore):
            await self.throttle.store.close()
        if self.platform is not None:
            await self.platform.aclose()
