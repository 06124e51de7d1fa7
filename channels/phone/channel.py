"""The phone channel of one gateway: the calls in progress, by conversation.

:meth:`PhoneChannel.run_call` is what the SIP user agent calls for each answered call (its
``on_call``); :meth:`PhoneChannel.deliver` is the ``phone`` channel's delivery hook, so staff
replies and queue notices are spoken to the caller whose conversation they belong to.
"""

from __future__ import annotations

import logging

from channels.phone.config import PhoneConfig
from channels.phone.media import PHONE_RATE, Call
from channels.phone.session import AskPerson, CallSession, Transferred, ignore_transfer
from conversation.metrics import Metrics
from conversation.service import ConversationService
from conversation.store import StoredMessage
from voice.engine import VoiceEngine

logger = logging.getLogger(__name__)


class PhoneChannel:
    """Answers calls with :class:`CallSession` and routes pushed messages to them."""

    def __init__(
        self,
        *,
        config: PhoneConfig,
        voice: VoiceEngine | None,
        conversations: ConversationService,
        ask_person: AskPerson,
        metrics: Metrics | None = None,
        transferred: Transferred = ignore_transfer,
    ) -> None:
        self.config = config
        self.voice = voice
        self.conversations = conversations
        self.ask_person = ask_person
        self.metrics = metrics
        self.transferred = transferred
        self.calls: dict[str, CallSession] = {}
        """Calls in progress, by conversation id."""

    def register(self) -> None:
        """Become the delivery hook of the ``phone`` channel."""
        self.conversations.delivery.register_channel("phone", self.deliver)

    async def preload(self) -> None:
        """Synthesize the greeting ahead of the first call, so answering is quick."""
        if self.voice is None:
            return
        await self.voice.synthesizer.preload(
            [self.config.greeting_speech],
            rate_cpm=self.config.speech_rate_cpm,
            sample_rate=PHONE_RATE,
        )

    def session(self, call: Call) -> CallSession:
        """A session for ``call`` (not started)."""
        return CallSession(
            call,
            config=self.config,
            voice=self.voice,
            conversations=self.conversations,
            ask_person=self.ask_person,
            metrics=self.metrics,
            transferred=self.transferred,
            on_start=self._started,
            on_end=self._ended,
        )

    def _started(self, session: CallSession) -> None:
        self.calls[session.conversation_id] = session

    def _ended(self, session: CallSession) -> None:
        self.calls.pop(session.conversation_id, None)

    async def run_call(self, call: Call) -> None:
        """Serve one answered call until it ends (the SIP user agent's ``on_call``)."""
        await self.session(call).run()

    async def deliver(self, message: StoredMessage) -> None:
        """The delivery hook of the ``phone`` channel (``conversation.delivery``)."""
        session = self.calls.get(message.conversation_id)
        if session is None:
            # The caller hung up; the message stays in the transcript.
            logger.info(
                "phone.push.no_call conversation=%s seq=%d", message.conversation_id, message.seq
            )
            return
        await session.pushed(message)
