"""One user turn through the conversation core.

The mode check lives here and only here: a turn goes to Rasa only when the conversation is in
mode ``bot``; otherwise it waits for staff. Every message of every party is stored in order,
including the user's turn when Rasa is down (nothing is lost).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from channels.core.store import ConversationStore, Mode, Party, StoredMessage
from channels.errors import ApiError
from channels.rasa_client import RasaClient, RasaUnavailable
from voice.speakable import spoken_options, to_speakable

logger = logging.getLogger(__name__)

BOT_DOWN_MESSAGE = "抱歉，系统暂时忙，请稍后再说一遍，或说“转人工”。"


@dataclass
class TurnResult:
    """What a turn produced: the conversation's mode and the new messages for the user."""

    conversation_id: str
    mode: Mode
    messages: list[StoredMessage]


def bot_payload(message: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Rasa's message as (screen text, payload with buttons and the text to speak)."""
    text = str(message.get("text") or "").strip()
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict) and b.get("title")
    ]
    if not text and not buttons:
        return None
    speech = to_speakable(text)
    if buttons:
        speech = f"{speech}{spoken_options(buttons)}"
    payload: dict[str, Any] = {"speech": speech}
    if buttons:
        payload["buttons"] = buttons
    return text, payload


class ConversationService:
    """Handles user turns: store, mode check, Rasa, store the answers."""

    def __init__(self, store: ConversationStore, rasa: RasaClient) -> None:
        self.store = store
        self.rasa = rasa

    async def user_turn(
        self, conversation_id: str, text: str, *, channel: str, metadata: dict[str, Any]
    ) -> TurnResult:
        """Store the user's text and get the answer from whoever answers this conversation."""
        mode = await self.store.ensure_conversation(conversation_id, channel)
        await self.store.add_messages(conversation_id, channel, [(Party.CITIZEN, text, {})])
        if mode is not Mode.BOT:
            return TurnResult(conversation_id, mode, [])
        try:
            replies = await self.rasa.send(conversation_id, text, {**metadata, "channel": channel})
        except RasaUnavailable as error:
            logger.error(
                "gateway.rasa.unavailable conversation=%s error=%s", conversation_id, error
            )
            await self.store.add_messages(
                conversation_id,
                channel,
                [
                    (
                        Party.SYSTEM,
                        BOT_DOWN_MESSAGE,
                        {"speech": BOT_DOWN_MESSAGE, "code": "bot_unavailable"},
                    )
                ],
            )
            raise ApiError(503, "bot_unavailable", BOT_DOWN_MESSAGE) from error
        items = [(Party.BOT, *parsed) for parsed in map(bot_payload, replies) if parsed]
        if not items:
            # Rasa said nothing: never a silent empty answer.
            items = [
                (
                    Party.SYSTEM,
                    "抱歉，我没听明白，请换个说法。",
                    {"speech": "抱歉，我没听明白，请换个说法。", "code": "bot_silent"},
                )
            ]
        stored = await self.store.add_messages(conversation_id, channel, items)
        return TurnResult(conversation_id, mode, stored)
