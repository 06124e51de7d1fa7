"""The live kiosk connections, by conversation, so pushed messages (staff replies, queue notices)
reach the screen and the speaker of the kiosk whose conversation they belong to."""

from __future__ import annotations

import logging
from typing import Protocol

from conversation.store import StoredMessage

logger = logging.getLogger(__name__)


class PushTarget(Protocol):
    """A kiosk connection that can show and speak a pushed message."""

    async def pushed(self, message: StoredMessage) -> None:
        """Show and speak ``message``."""
        ...


class KioskHub:
    """Which live connection holds which conversation."""

    def __init__(self) -> None:
        self._live: dict[str, PushTarget] = {}

    def __len__(self) -> int:
        return len(self._live)

    def attach(self, conversation_id: str, target: PushTarget) -> None:
        """``target`` now shows ``conversation_id``."""
        self._live[conversation_id] = target

    def detach(self, conversation_id: str, target: PushTarget) -> None:
        """``target`` no longer shows ``conversation_id`` (after a reset or a disconnect)."""
        if self._live.get(conversation_id) is target:
            del self._live[conversation_id]

    async def deliver(self, message: StoredMessage) -> None:
        """The delivery hook of the ``kiosk`` channel (``conversation.delivery``)."""
        target = self._live.get(message.conversation_id)
        if target is None:
            # The person left (reset or disconnect); the message stays in the transcript.
            logger.info(
                "kiosk.push.no_connection conversation=%s seq=%d",
                message.conversation_id,
                message.seq,
            )
            return
        await target.pushed(message)
