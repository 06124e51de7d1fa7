"""What a follower's message does: the turn in the conversation core, the answer in WeChat's
terms, the passive reply or the customer-service API, and staff replies pushed the same way.

Every turn carries the server-side metadata ``wechat_openid_hash`` (never the OpenID, and
nothing a follower can set). Answers that cannot be delivered are written into the
conversation as a system message with the code ``wechat_undelivered``, so staff see them in
the console's transcript.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.wechat import formatting
from channels.wechat.config import WeChatConfig
from channels.wechat.dedupe import InFlight, spawn
from channels.wechat.outbound import DeliveryFailed, WeChatApi
from channels.wechat.protocol import Inbound
from channels.wechat.sessions import WeChatSessions, openid_hash
from channels.wechat.voice import VoiceFailed, recognize
from conversation.errors import ApiError
from conversation.service import ConversationService
from conversation.store import Party, StoredMessage
from conversation.validation import CodedError, clean_text
from voice.engine import VoiceEngine
from zhtext.speakable import to_speakable

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
WELCOME = (
    "您好！我是办事小助手，可以帮您交学费和水电燃气费、查养老金和医保、办老年卡和高龄津贴、"
    "查办件进度、预约办事，也能替家里老人办。直接打字或发语音告诉我要办什么；说“人工”找工作人员。"
)
"""The one short message a new follower gets: what the assistant can do, and how to ask."""
VOICE_FAILED = "抱歉，这段语音我没听清，请再说一遍，或者打字告诉我。"
UNSUPPORTED = "我只能看懂文字和语音，请打字或发语音告诉我要办什么。"
UNKNOWN_MENU = "这个菜单我还不认识，请打字或发语音告诉我要办什么。"
GOODBYE_MARK = "再见"
"""The bot's goodbye ends the conversation: the next message starts a new one."""

MENU_KEYS = frozenset(
    {
        "pay_education_fee",
        "pension_certification",
        "query_pension",
        "query_medical_insurance",
        "pay_utility_bill",
        "apply_elderly_allowance",
        "apply_senior_card",
        "get_e_certificate",
        "transfer_hukou",
        "book_appointment",
        "apply_social_assistance",
        "query_application_status",
        "file_complaint",
        "ask_capabilities",
        "request_human",
    }
)
"""Menu CLICK keys: each names the intent of the service it starts (DESIGN.md §4.3)."""


def follower_tag(key: str) -> str:
    """A follower in log lines: a prefix of the OpenID's hash."""
    return key[:12]


class WeChatChannel:
    """The channel's live objects and its handling of one message."""

    def __init__(
        self,
        config: WeChatConfig,
        *,
        conversations: ConversationService,
        sessions: WeChatSessions,
        api: WeChatApi,
        voice: VoiceEngine | None,
        max_text_chars: int,
    ) -> None:
        self.config = config
        self.conversations = conversations
        self.sessions = sessions
        self.api = api
        self.voice = voice
        self.max_text_chars = max_text_chars
        self.inflight = InFlight()

    async def handle(self, inbound: Inbound) -> str | None:
        """The passive reply to ``inbound``, or None to answer ``success`` (the answer then comes
        through the API, or there is none)."""
        key = openid_hash(self.config.app_id, inbound.openid)
        pending = self.inflight.join(key, inbound.turn_id, lambda: self._answer(inbound, key))
        try:
            pieces = await asyncio.wait_for(
                asyncio.shield(pending.task), self.config.reply_budget_s
            )
        except asyncio.TimeoutError:
            logger.info("wechat.reply.late follower=%s", follower_tag(key))
            pending.hand_to_api(lambda late: self._deliver(key, inbound.openid, late))
            return None
        if not pieces or not pending.take_passive():
            return None
        if len(pieces) > 1:
            spawn(self._deliver(key, inbound.openid, pieces[1:]))
        return pieces[0]

    async def _answer(self, inbound: Inbound, key: str) -> list[str]:
        """The answer to one message, as texts of at most 2 KB (never raises)."""
        try:
            return await self._turn(inbound, key)
        except ApiError as error:
            logger.warning("wechat.turn.failed code=%s follower=%s", error.code, follower_tag(key))
            return [error.message]
        except Exception:
            logger.exception("wechat.turn.error follower=%s", follower_tag(key))
            return ["抱歉，系统出了点问题，请稍后再试。"]

    async def _turn(self, inbound: Inbound, key: str) -> list[str]:
        if inbound.kind == "event":
            return await self._event(inbound, key)
        if inbound.kind == "text":
            text = inbound.text
        elif inbound.kind == "voice":
            heard = await self._heard(inbound, key)
            if heard is None:
                return [VOICE_FAILED]
            text = heard
        else:
            return [UNSUPPORTED]
        try:
            text = clean_text(text, max_chars=self.max_text_chars)
        except CodedError as error:
            return [str(error)]
        conversation_id = await self.sessions.current(key, inbound.openid)
        choice = formatting.chosen(text, await self.sessions.options(key))
        return await self._user_turn(key, conversation_id, choice or text, inbound.turn_id)

    async def _user_turn(
        self, key: str, conversation_id: str, text: str, turn_id: str
    ) -> list[str]:
        # The turn's claim refers to the conversation: it must exist before the turn.
        await self.conversations.store.ensure_conversation(conversation_id, CHANNEL)
        result = await self.conversations.user_turn(
            conversation_id,
            text,
            channel=CHANNEL,
            metadata={"wechat_openid_hash": key},
            message_id=turn_id,
        )
        await self.sessions.set_options(key, formatting.options_of(result.messages))
        if any(m.party is Party.BOT and GOODBYE_MARK in m.text for m in result.messages):
            await self.sessions.end(key)
        return formatting.split_text(formatting.answer_text(result.messages))

    async def _heard(self, inbound: Inbound, key: str) -> str | None:
        """What a voice message says: WeChat's recognition, else our recognizer's."""
        if inbound.recognition.strip():
            return inbound.recognition
        try:
            audio = await self.api.media(inbound.media_id)
            text = await recognize(self.voice, audio)
        except (DeliveryFailed, VoiceFailed) as error:
            code = error.code if isinstance(error, VoiceFailed) else f"media_{error.code}"
            logger.info("wechat.voice.failed code=%s follower=%s", code, follower_tag(key))
            return None
        logger.info("wechat.voice.recognized chars=%d follower=%s", len(text), follower_tag(key))
        return text

    async def _event(self, inbound: Inbound, key: str) -> list[str]:
        if inbound.event in ("subscribe", "subscribe_scan"):
            conversation_id = await self.sessions.current(key, inbound.openid)
            await self.conversations.store.ensure_conversation(conversation_id, CHANNEL)
            await self.conversations.add(
                conversation_id,
                [(Party.BOT, WELCOME, {"speech": to_speakable(WELCOME)})],
                push=False,
            )
            return [WELCOME]
        if inbound.event == "unsubscribe":
            await self.sessions.end(key)
            logger.info("wechat.follower.left follower=%s", follower_tag(key))
            return []
        if inbound.event == "click":
            if inbound.event_key not in MENU_KEYS:
                return [UNKNOWN_MENU]
            conversation_id = await self.sessions.current(key, inbound.openid)
            return await self._user_turn(
                key, conversation_id, f"/{inbound.event_key}", inbound.turn_id
            )
        return []

    # ----------------------------------------------------------------- the API path
    async def _deliver(
        self, key: str, openid: str, pieces: list[str], conversation_id: str | None = None
    ) -> None:
        """Send ``pieces`` in order through the customer-service API; mark what failed in
        ``conversation_id`` (default: the follower's current one)."""
        for index, piece in enumerate(pieces):
            try:
                await self.api.send_text(openid, piece)
            except DeliveryFailed as error:
                await self._mark(key, error, len(pieces) - index, conversation_id)
                return

    async def _mark(
        self, key: str, error: DeliveryFailed, count: int, conversation_id: str | None
    ) -> None:
        """Tell staff in the conversation that ``count`` messages did not reach the follower."""
        logger.warning(
            "wechat.delivery.failed code=%s follower=%s count=%d",
            error.code,
            follower_tag(key),
            count,
        )
        conversation_id = conversation_id or await self.sessions.conversation_of(key)
        if conversation_id is None:
            return
        text = f"（未送达）{count}条消息没有送到微信用户：{error.reason}。"
        payload: dict[str, Any] = {"code": "wechat_undelivered", "wechat_errcode": error.code}
        await self.conversations.add(conversation_id, [(Party.SYSTEM, text, payload)], push=False)

    async def push(self, message: StoredMessage) -> None:
        """The delivery hook: a staff reply or a notice, sent through the API."""
        openid = await self.sessions.openid_of(message.conversation_id)
        if openid is None:
            logger.warning("wechat.delivery.no_follower conversation=%s", message.conversation_id)
            return
        key = openid_hash(self.config.app_id, openid)
        options = formatting.options_of([message])
        if options:
            await self.sessions.set_options(key, options)
        pieces = formatting.split_text(formatting.message_text(message))
        await self._deliver(key, openid, pieces, message.conversation_id)
