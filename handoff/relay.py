"""The console feed across gateway processes: Redis pub/sub (scale profile).

Every event a hub publishes, and every transcript a console opens or a session it ends, is sent
on one Redis channel. Every gateway listens on it and hands what the others sent to its own hub,
which delivers to its own consoles with the usual checks (district, supervisor, watched
conversation). A process skips what it sent itself, since its hub has delivered that already.

What goes over Redis is what the consoles receive anyway: handoff views and masked message
text, and session keys that are hashes of the session tokens. Messages go out in order through
one sender; a Redis outage loses live updates (logged), never a request, and the consoles
catch up on their next reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

from handoff.events import EventHub

logger = logging.getLogger(__name__)
CHANNEL = "banshi:console"
OUTBOX_SIZE = 2000
RETRY_S = 1.0


class RedisRelay:
    """Connects one gateway's :class:`EventHub` to the others over Redis pub/sub."""

    def __init__(self, url: str, hub: EventHub, *, channel: str = CHANNEL) -> None:
        self.url = url
        self.hub = hub
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self.stats = {"sent": 0, "received": 0, "dropped": 0, "failed": 0}
        self._outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._tasks: list[asyncio.Task[None]] = []
        self._client: Any = None
        self._subscribed = asyncio.Event()

    async def start(self, timeout_s: float = 10.0) -> None:
        """Connect, subscribe, and attach to the hub (raises if Redis cannot be reached)."""
        import redis.asyncio as aioredis

        # Named, so that an operator's CLIENT LIST shows which gateway holds which connection.
        self._client = aioredis.from_url(self.url, client_name=f"banshi-console-{self.origin[:8]}")
        await asyncio.wait_for(self._client.ping(), timeout_s)
        self._tasks = [
            asyncio.create_task(self._listen(), name="console-relay-listen"),
            asyncio.create_task(self._send_loop(), name="console-relay-send"),
        ]
        await asyncio.wait_for(self._subscribed.wait(), timeout_s)
        self.hub.relay = self
        logger.info("handoff.relay.start channel=%s origin=%s", self.channel, self.origin[:8])

    async def close(self) -> None:
        """Detach from the hub and stop listening."""
        if self.hub.relay is self:
            self.hub.relay = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None:
            await self._client.close()
            self._client = None

    def send(self, kind: str, data: dict[str, Any]) -> None:
        """Queue ``kind`` and ``data`` for the other gateways (never blocks)."""
        payload = json.dumps(
            {"origin": self.origin, "kind": kind, "data": data}, ensure_ascii=False, default=str
        )
        try:
            self._outbox.put_nowait(payload)
        except asyncio.QueueFull:
            self.stats["dropped"] += 1
            logger.warning("handoff.relay.dropped kind=%s", kind)

    async def _send_loop(self) -> None:
        while True:
            payload = await self._outbox.get()
            try:
                await self._client.publish(self.channel, payload)
                self.stats["sent"] += 1
            except Exception as error:  # Redis down: live updates only
                self.stats["failed"] += 1
                logger.warning("handoff.relay.publish_failed error=%s", type(error).__name__)

    async def _listen(self) -> None:
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self._subscribed.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._receive(message["data"])
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.close()
                raise
            except Exception as error:  # reconnect and go on
                logger.warning("handoff.relay.listen_failed error=%s", type(error).__name__)
                with contextlib.suppress(Exception):
                    await pubsub.close()
                await asyncio.sleep(RETRY_S)

    def _receive(self, raw: bytes | str) -> None:
        try:
            message = json.loads(raw)
            if message.get("origin") == self.origin:
                return
            self.stats["received"] += 1
            self.hub.receive(str(message["kind"]), dict(message["data"]))
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("handoff.relay.bad_message error=%s", type(error).__name__)
