"""The waiting room: what a citizen waiting for a person is told and can do.

While a handoff waits, the citizen's turns come here: they hear their place in the queue, are
offered a call-back when nobody is on duty or the wait runs long, can give and confirm a phone
number for it, or cancel. The clock (:meth:`WaitingRoom.tick`) offers call-backs and tells a
changed place in the queue without talking over the call-back questions.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from conversation.service import MessageItem
from conversation.store import StoredMessage
from handoff import notices, queue, replies
from handoff.audit import SYSTEM
from handoff.events import ConsoleEvent
from handoff.hours import describe_moment
from handoff.models import CallbackState, Handoff, Outcome, Status

if TYPE_CHECKING:
    from handoff.service import HandoffService

logger = logging.getLogger(__name__)


class WaitingRoom:
    """The citizen's side of a waiting handoff, for a :class:`HandoffService`."""

    def __init__(self, service: HandoffService) -> None:
        self.service = service
        self.handoffs = service.handoffs
        self.audit = service.audit
        self.hub = service.hub
        self.hours = service.hours
        self.clock = service.clock

    async def offer_callback(self, handoff: Handoff, *, busy: bool) -> MessageItem:
        """Offer to call the citizen back (``busy``: staff are on duty but taking long)."""
        now = self.clock()
        await self.handoffs.set_callback(handoff.id, CallbackState.OFFERED, offered_at=now)
        return notices.offer_callback(
            open_now=self.hours.is_open(now),
            hours=self.hours.describe(),
            when=self._callback_when(),
            busy=busy,
        )

    def _callback_when(self) -> str:
        now = self.clock()
        if self.hours.is_open(now):
            return "尽快"
        return describe_moment(self.hours.next_open(now), now, self.hours.zone) + "以后"

    async def reply(self, handoff: Handoff, message: StoredMessage) -> list[MessageItem]:
        """The answer to a citizen's turn while they wait: the call-back questions, a
        cancel, or their place in the queue."""
        text = message.text
        state = handoff.callback_state
        if state is CallbackState.CONFIRMING and handoff.callback_phone:
            new_phone = replies.phone_number(text)
            if new_phone and new_phone != handoff.callback_phone:
                await self.handoffs.set_callback(handoff.id, state, phone=new_phone)
                return [notices.confirm_phone(new_phone)]
            if replies.is_deny(text):
                await self.handoffs.set_callback(handoff.id, CallbackState.ASKING_PHONE)
                return [notices.ask_phone(again=True)]
            if replies.is_affirm(text):
                return [await self._arrange_callback(handoff, handoff.callback_phone)]
            return [notices.confirm_phone(handoff.callback_phone)]
        if replies.wants_to_cancel(text) and not replies.phone_number(text):
            return [await self._cancel(handoff)]
        if state in (CallbackState.OFFERED, CallbackState.ASKING_PHONE):
            phone = replies.phone_number(text)
            if phone:
                await self.handoffs.set_callback(handoff.id, CallbackState.CONFIRMING, phone=phone)
                return [notices.confirm_phone(phone)]
            if replies.wants_to_wait(text):
                await self.handoffs.set_callback(handoff.id, CallbackState.DECLINED)
                position, eta = await self.service.place(handoff)
                await self.handoffs.noticed(handoff.id, position)
                return [notices.keep_waiting(position, queue.wait_words(eta))]
            if state is CallbackState.ASKING_PHONE or replies.wants_callback(text):
                await self.handoffs.set_callback(handoff.id, CallbackState.ASKING_PHONE)
                return [notices.ask_phone(again=state is CallbackState.ASKING_PHONE)]
        position, eta = await self.service.place(handoff)
        await self.handoffs.noticed(handoff.id, position)
        return [notices.waiting_ack(position, queue.wait_words(eta))]

    async def _arrange_callback(self, handoff: Handoff, phone: str) -> MessageItem:
        now = self.clock()
        due = self.hours.next_open(now)
        task = await self.handoffs.arrange_callback(handoff, phone=phone, due_at=due)
        if task is None:
            return notices.already_claimed()
        await self.audit.append(
            SYSTEM, "callback.create", "callback", str(task.id), {"handoff": handoff.id}
        )
        self.hub.publish(
            ConsoleEvent(
                "callback.created",
                {"id": task.id, "handoff_id": handoff.id},
                district=handoff.district,
            )
        )
        ended = await self.handoffs.get(handoff.id)
        if ended:
            await self.service.announce("handoff.updated", ended)
        return notices.callback_arranged(phone, self._callback_when())

    async def _cancel(self, handoff: Handoff) -> MessageItem:
        if not await self.handoffs.end(
            handoff.id, outcome=Outcome.CANCELLED, summary=None, expect=(Status.WAITING,)
        ):
            return notices.already_claimed()
        await self.audit.append(SYSTEM, "handoff.cancel", "handoff", handoff.id, {"by": "citizen"})
        ended = await self.handoffs.get(handoff.id)
        if ended:
            await self.service.announce("handoff.updated", ended)
        return notices.cancelled()

    async def tick(
        self, handoff: Handoff, *, now: datetime, timeout: timedelta, gap: timedelta
    ) -> None:
        """The clock for one waiting handoff: offer a call-back after ``timeout`` or when
        nobody is on duty; otherwise tell a changed place in the queue, at most every ``gap``."""
        state = handoff.callback_state
        since = handoff.callback_offered_at or handoff.created_at
        may_offer = state is CallbackState.NONE or (
            state is CallbackState.DECLINED and now - since >= timeout
        )
        if may_offer:
            nobody = await self.service.on_duty(handoff.district) == 0
            if nobody or now - handoff.created_at >= timeout:
                item = await self.offer_callback(handoff, busy=not nobody)
                await self.service.conversations.add(handoff.conversation_id, [item], push=True)
                logger.info("handoff.callback.offered id=%s nobody=%s", handoff.id, nobody)
                return
        if state in (CallbackState.ASKING_PHONE, CallbackState.CONFIRMING, CallbackState.OFFERED):
            return  # do not talk over the call-back questions
        position, eta = await self.service.place(handoff)
        quiet = handoff.last_notice_at is None or now - handoff.last_notice_at >= gap
        if position != handoff.last_position and quiet:
            await self.handoffs.noticed(handoff.id, position)
            await self.service.conversations.add(
                handoff.conversation_id,
                [notices.position_update(position, queue.wait_words(eta))],
                push=True,
            )
