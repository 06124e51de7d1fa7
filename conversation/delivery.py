"""Delivery of messages nobody asked for in the same request: staff replies and system notices.

A bot answer travels back in the response to the citizen's turn. A staff reply or a queue notice
is *pushed*: it is stored first (so nothing is lost), then handed to the channel's delivery
hook. Web chat registers no hook, because its page polls ``GET /api/chat/{id}/messages``; the
kiosk, phone and WeChat adapters register one each (live socket, TTS, customer-service API).

Observers (the staff console's live feed) see every stored message of every party.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from conversation.store import StoredMessage

logger = logging.getLogger(__name__)

ChannelHook = Callable[[StoredMessage], Awaitable[None]]
"""Delivers one pushed message on its channel; it may raise, the message stays stored."""

Observer = Callable[[list[StoredMessage]], Awaitable[None]]
"""Sees every batch of messages as it is stored (must be quick and must not raise)."""


class Delivery:
    """Channel hooks for pushed messages, and observers of every stored message."""

    def __init__(self) -> None:
        self._hooks: dict[str, ChannelHook] = {}
        self._observers: list[Observer] = []

    def register_channel(self, channel: str, hook: ChannelHook) -> None:
        """Let ``hook`` deliver pushed messages of conversations on ``channel``."""
        self._hooks[channel] = hook

    def observe(self, observer: Observer) -> None:
        """Call ``observer`` with every batch of stored messages."""
        self._observers.append(observer)

    async def stored(self, batch: list[StoredMessage]) -> None:
        """Tell the observers about ``batch`` (called by the conversation core)."""
        if not batch:
            return
        for observer in self._observers:
            try:
                await observer(batch)
            except Exception:
                logger.exception("gateway.delivery.observer_failed")

    async def push(self, batch: list[StoredMessage]) -> None:
        """Deliver pushed messages on their channel (polling channels need nothing)."""
        for message in batch:
            hook = self._hooks.get(message.channel)
            if hook is None:
                continue
            try:
                await hook(message)
            except Exception:
                # Stored already: the adapter can resend from the store when it reconnects.
                logger.exception(
                    "gateway.delivery.failed channel=%s conversation=%s seq=%d",
                    message.channel,
                    message.conversation_id,
                    message.seq,
                )
