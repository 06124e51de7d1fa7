"""One user turn through the conversation core.

The mode check lives here and only here: a turn goes to Rasa only when the conversation is in
mode ``bot``; otherwise it goes to the staff side (``handoff``, injected as a :class:`StaffSide`),
which shows it to staff and may answer with a notice (queue position, call-back questions).
Every message of every party is stored in order, including the user's turn when Rasa is down
(nothing is lost), and every stored batch is shown to the :class:`Delivery` observers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from conversation import outage
from conversation.delivery import Delivery
from conversation.errors import ApiError, is_store_outage
from conversation.rasa_client import RasaClient, RasaUnavailable
from conversation.store import ConversationStore, Mode, Party, StoredMessage
from conversation.turns import TurnGate, TurnLog
from zhtext.speakable import spoken_options, to_speakable

logger = logging.getLogger(__name__)

T = TypeVar("T")

ANSWERED_STORE_WAIT_S = 8.0
"""How long a turn Rasa has answered waits out the gateway's database being unreachable (a
restart, a network cut) before the citizen is told to try again."""

BOT_DOWN_MESSAGE = outage.BOT_DOWN_MESSAGE


@dataclass
class TurnResult:
    """What a turn produced: the conversation's mode and the new messages for the user."""

    conversation_id: str
    mode: Mode
    messages: list[StoredMessage]
    settings: dict[str, str] = field(default_factory=dict)
    """The conversation's settings after the turn (``speech_rate``: ``slow`` …)."""


SETTINGS = {"speech_rate": ("normal", "slow")}
"""Settings the bot may change (``custom: {"setting": {...}}`` in its answer), and their values."""


def bot_settings(replies: list[dict[str, Any]]) -> dict[str, str]:
    """The known settings Rasa's answers ask for; anything else is ignored."""
    found: dict[str, str] = {}
    for reply in replies:
        custom = reply.get("custom")
        wanted = custom.get("setting") if isinstance(custom, dict) else None
        if not isinstance(wanted, dict):
            continue
        for key, value in wanted.items():
            if key in SETTINGS and value in SETTINGS[key]:
                found[key] = str(value)
    return found


EXPECT_HINT = re.compile(r"[a-z_]{2,16}(?::[0-9]{1,2})?")
"""The shape of the answer hint an action may send with a question (``custom.expect``:
``id_number``, ``phone``, ``digits:10`` …); the voice channels read it (``voice.expect``)."""


def bot_payload(
    message: dict[str, Any], said: str | None = None, expect: str | None = None
) -> tuple[str, dict[str, Any]] | None:
    """Rasa's message as (screen text, payload with buttons and the text to speak).

    ``said`` is the spoken form the action gave with the message (its numbers typed, see
    ``zhtext.spoken``); without it the text is spoken by the formatter's guesses. ``expect``
    is the answer the action's question expects; it is kept only when it has the hint's shape.
    """
    text = str(message.get("text") or "").strip()
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict) and b.get("title")
    ]
    if not text and not buttons:
        return None
    speech = to_speakable(said if said else text)
    if buttons:
        speech = f"{speech}{spoken_options(buttons)}"
    payload: dict[str, Any] = {"speech": speech}
    if buttons:
        payload["buttons"] = buttons
    if expect is not None and EXPECT_HINT.fullmatch(expect):
        payload["expect"] = expect
    return text, payload


def bot_items(replies: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Rasa's messages as (screen text, payload) pairs.

    An action that knows how its message is said sends it as ``custom: {"speech": ...}``, and
    a question that expects an exact answer says which (``custom: {"expect": "phone"}``); Rasa
    delivers that as a message of its own right after the text, and it is joined to it.
    """
    items: list[tuple[str, dict[str, Any]]] = []
    for index, reply in enumerate(replies):
        following = replies[index + 1] if index + 1 < len(replies) else {}
        custom = following.get("custom") if not following.get("text") else None
        said = custom.get("speech") if isinstance(custom, dict) else None
        expect = custom.get("expect") if isinstance(custom, dict) else None
        parsed = bot_payload(
            reply,
            str(said) if isinstance(said, str) and said else None,
            expect if isinstance(expect, str) else None,
        )
        if parsed:
            items.append(parsed)
    return items


MessageItem = tuple[Party, str, dict[str, Any]]


class StaffSide(Protocol):
    """Who gets the citizen's turns when the conversation is not in mode ``bot``."""

    async def citizen_turn(self, message: StoredMessage) -> list[MessageItem]:
        """Take the citizen's stored ``message``; return notices to answer with (maybe none)."""
        ...

    async def person_asked(self, conversation_id: str) -> list[MessageItem]:
        """The citizen asked for a person while the bot could not act (``conversation.outage``):
        queue the conversation for staff; return the notices to answer with."""
        ...


class ConversationService:
    """Handles user turns: store, mode check, Rasa or staff, store the answers."""

    def __init__(
        self,
        store: ConversationStore,
        rasa: RasaClient,
        *,
        delivery: Delivery | None = None,
        staff_side: StaffSide | None = None,
    ) -> None:
        self.store = store
        self.rasa = rasa
        self.delivery = delivery or Delivery()
        self.staff_side = staff_side
        self.gate = TurnGate()
        self.turn_log = TurnLog(store.engine)

    async def add(
        self, conversation_id: str, items: list[MessageItem], *, push: bool
    ) -> list[StoredMessage]:
        """Store messages on the conversation's channel and show them to the observers.

        ``push`` also delivers them through the channel's hook: for messages that do not travel
        back in the response to a citizen's request (staff replies, queue notices).
        """
        info = await self.store.conversation(conversation_id)
        if info is None:
            raise ApiError(404, "conversation_not_found", "没有找到这个会话。")
        stored = await self.store.add_messages(conversation_id, info.channel, items)
        await self.delivery.stored(stored)
        if push:
            await self.delivery.push(stored)
        return stored

    async def bot_event(
        self, conversation_id: str, action: str, slots: dict[str, str], *, fallback: str
    ) -> list[StoredMessage]:
        """Let the bot speak first (e.g. greet again after staff hand back): run ``action`` in
        Rasa with ``slots`` set and push its answers; ``fallback`` when Rasa is down."""
        info = await self.store.conversation(conversation_id)
        if info is None:
            raise ApiError(404, "conversation_not_found", "没有找到这个会话。")
        one_line = {k: " ".join(str(v).split()) for k, v in slots.items()}
        try:
            replies = await self.rasa.execute(conversation_id, action, one_line)
            items: list[MessageItem] = [(Party.BOT, *parsed) for parsed in bot_items(replies)]
        except RasaUnavailable as error:
            logger.error(
                "gateway.rasa.unavailable conversation=%s error=%s", conversation_id, error
            )
            items = []
        if not items:
            items = [(Party.SYSTEM, fallback, {"speech": to_speakable(fallback)})]
        return await self.add(conversation_id, items, push=True)

    async def user_turn(
        self,
        conversation_id: str,
        text: str,
        *,
        channel: str,
        metadata: dict[str, Any],
        message_id: str | None = None,
    ) -> TurnResult:
        """Store the user's text and get the answer from whoever answers this conversation.

        Turns of one conversation are handled one at a time, in order. A turn with a client
        ``message_id`` is handled once: a retry gets the first answer (``conversation.turns``).
        """
        if message_id is not None:
            earlier = await self.turn_log.claim(conversation_id, message_id)
            if earlier is not None:
                return await self._replay(conversation_id, earlier)
        try:
            async with self.gate.turn(conversation_id):
                result = await self._handle(conversation_id, text, channel, metadata)
        except BaseException:
            if message_id is not None:
                await self.turn_log.give_back(conversation_id, message_id)
            raise
        if message_id is not None:
            await self._keep_answered(
                self.turn_log.answered,
                conversation_id,
                message_id,
                {
                    "mode": result.mode.value,
                    "seqs": [m.seq for m in result.messages],
                    "settings": result.settings,
                },
            )
        return result

    async def _replay(self, conversation_id: str, answer: dict[str, Any]) -> TurnResult:
        """The answer a turn got the first time, for its retry."""
        seqs = [int(seq) for seq in answer.get("seqs", [])]
        return TurnResult(
            conversation_id,
            await self._mode(conversation_id, Mode(answer.get("mode", Mode.BOT.value))),
            await self.store.messages_by_seq(conversation_id, seqs),
            {str(k): str(v) for k, v in dict(answer.get("settings") or {}).items()},
        )

    async def _handle(
        self, conversation_id: str, text: str, channel: str, metadata: dict[str, Any]
    ) -> TurnResult:
        mode = await self.store.ensure_conversation(conversation_id, channel)
        said = await self.store.add_messages(conversation_id, channel, [(Party.CITIZEN, text, {})])
        await self.delivery.stored(said)
        if mode is not Mode.BOT:
            # The one mode check: with staff (waiting or human), the bot never answers.
            notices = await self.staff_side.citizen_turn(said[0]) if self.staff_side else []
            stored = await self.add(conversation_id, notices, push=False) if notices else []
            return TurnResult(conversation_id, await self._mode(conversation_id, mode), stored)
        try:
            replies = await self.rasa.send(conversation_id, text, {**metadata, "channel": channel})
        except RasaUnavailable as error:
            return await self._bot_refused(conversation_id, channel, text, error)
        # Rasa has answered and kept the turn: from here a database outage is waited out
        # (a short one), so that the citizen is not told to say again what was answered.
        keep = self._keep_answered
        for key, value in bot_settings(replies).items():
            await keep(self.store.set_setting, conversation_id, key, value)
        items = [(Party.BOT, *parsed) for parsed in bot_items(replies)]
        if not items:
            # Rasa said nothing: never a silent empty answer.
            items = [
                (
                    Party.SYSTEM,
                    "抱歉，我没听明白，请换个说法。",
                    {"speech": "抱歉，我没听明白，请换个说法。", "code": "bot_silent"},
                )
            ]
        stored = await keep(self.store.add_messages, conversation_id, channel, items)
        await self.delivery.stored(stored)
        # An action may have handed the conversation to staff during this turn.
        return TurnResult(
            conversation_id,
            await keep(self._mode, conversation_id, mode),
            stored,
            await keep(self.store.settings, conversation_id),
        )

    async def _keep_answered(self, call: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``call(*args)``, tried again while the database is unreachable, for at most
        :data:`ANSWERED_STORE_WAIT_S`; then the outage's error as before."""
        deadline = time.monotonic() + ANSWERED_STORE_WAIT_S
        pause = 0.2
        while True:
            try:
                return await call(*args)
            except Exception as error:
                if not is_store_outage(error) or time.monotonic() + pause > deadline:
                    raise
                logger.warning("gateway.store.retry_answered error=%s", type(error).__name__)
            await asyncio.sleep(pause)
            pause = min(1.0, pause * 2)

    async def _bot_refused(
        self, conversation_id: str, channel: str, text: str, error: RasaUnavailable
    ) -> TurnResult:
        """Rasa did not take the turn (``conversation.outage``): a person when asked for, the
        action server's outage explained with a person offered, else ``503 bot_unavailable``."""
        logger.log(
            logging.WARNING if error.code == "bot_busy" else logging.ERROR,  # overload: no fault
            "gateway.rasa.unavailable conversation=%s code=%s error=%s",
            conversation_id,
            error.code,
            error,
        )
        if self.staff_side is not None and outage.asks_for_person(text, error.intent):
            notices = await self.staff_side.person_asked(conversation_id)
            stored = await self.add(conversation_id, notices, push=False) if notices else []
            return TurnResult(conversation_id, await self._mode(conversation_id, Mode.BOT), stored)
        if error.code == "actions_unavailable":
            explained = (Party.SYSTEM, outage.ACTIONS_DOWN_MESSAGE, outage.actions_down_payload())
            stored = await self.add(conversation_id, [explained], push=False)
            return TurnResult(conversation_id, Mode.BOT, stored)
        await self.store.add_messages(
            conversation_id,
            channel,
            [(Party.SYSTEM, outage.BOT_DOWN_MESSAGE, outage.bot_down_payload())],
        )
        raise ApiError(503, "bot_unavailable", outage.BOT_DOWN_MESSAGE) from error

    async def _mode(self, conversation_id: str, default: Mode) -> Mode:
        return await self.store.mode(conversation_id) or default
