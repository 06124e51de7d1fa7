"""The handoff service: requests, the queue, claims, replies, hand-back and close.

It is the conversation core's :class:`~conversation.service.StaffSide`: while a
conversation is ``waiting`` or ``human`` the core gives it the citizen's turns (a waiting
citizen's go to :class:`~handoff.waiting.WaitingRoom`). Every staff
action is checked here (district and assignment), recorded in the audit log and announced on
the console feed; the citizen is told what happens in plain Chinese.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from conversation.errors import ApiError
from conversation.service import ConversationService, MessageItem
from conversation.store import Mode, StoredMessage
from handoff import notices, queue
from handoff.audit import SYSTEM, Actor, AuditLog
from handoff.clock import Clock, utc_now
from handoff.config import HandoffConfig
from handoff.events import ConsoleEvent, EventHub
from handoff.handoff_store import HandoffStore
from handoff.hours import WorkingHours
from handoff.models import (
    CLOSE_OUTCOMES,
    Handoff,
    Outcome,
    Priority,
    Reason,
    Staff,
    Status,
)
from handoff.staff_store import StaffStore
from handoff.views import handoff_json, message_json
from handoff.waiting import WaitingRoom

logger = logging.getLogger(__name__)

ConsentHandler = Callable[[Handoff, StoredMessage], Awaitable[list[MessageItem]]]
"""Reads a citizen's turn during a staff conversation for a pending proxy consent."""


@dataclass
class HandoffRequest:
    """What a trigger knows when it asks for a person."""

    conversation_id: str
    reason: Reason
    priority: Priority | None = None
    citizen_age: int | None = None
    district: str = ""
    detail: str = ""
    collected: dict[str, Any] | None = None
    accessibility: dict[str, Any] | None = None


@dataclass
class RequestResult:
    """The queued handoff and what to tell the citizen."""

    handoff: Handoff
    created: bool
    position: int
    estimated_wait_s: float
    notice: MessageItem
    callback_offered: bool


def not_found() -> ApiError:
    """The error for an unknown (or invisible) handoff."""
    return ApiError(404, "handoff_not_found", "没有找到这个转人工记录。")


class HandoffService:
    """Moves conversations between the bot, the queue and staff."""

    def __init__(
        self,
        *,
        config: HandoffConfig,
        conversations: ConversationService,
        handoffs: HandoffStore,
        staff: StaffStore,
        audit: AuditLog,
        hub: EventHub,
        hours: WorkingHours,
        clock: Clock = utc_now,
    ) -> None:
        self.config = config
        self.conversations = conversations
        self.handoffs = handoffs
        self.staff = staff
        self.audit = audit
        self.hub = hub
        self.hours = hours
        self.clock = clock
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.consent_handler: ConsentHandler | None = None
        """Set by the proxy-case service: answers "我同意" to a pending consent request."""
        self.waiting_room = WaitingRoom(self)

    # ----------------------------------------------------------------- queue views
    async def on_duty(self, district: str) -> int:
        """How many staff serving ``district`` have a console open now."""
        since = self.clock() - timedelta(seconds=self.config.presence_s)
        return len(await self.staff.present(since=since, district=district or None))

    async def waiting(self) -> list[Handoff]:
        """Every waiting handoff, in queue order."""
        return queue.ordered(await self.handoffs.in_state(status=Status.WAITING))

    async def places(self, handoffs: list[Handoff]) -> dict[str, tuple[int, float]]:
        """Each handoff's position in its pool and estimated wait in seconds (one read of the
        queue, the handling time and the staff on duty per district for all of them)."""
        waiting = await self.waiting()
        mean = await self.handoffs.mean_handle_s() or self.config.default_handle_s
        on_duty: dict[str, int] = {}
        out: dict[str, tuple[int, float]] = {}
        for handoff in handoffs:
            if handoff.district not in on_duty:
                on_duty[handoff.district] = await self.on_duty(handoff.district)
            position = queue.position(handoff, waiting)
            out[handoff.id] = (
                position,
                queue.estimated_wait_s(
                    position, on_duty=on_duty[handoff.district], mean_handle_s=mean
                ),
            )
        return out

    async def place(self, handoff: Handoff) -> tuple[int, float]:
        """The handoff's position in its pool and the estimated wait in seconds."""
        return (await self.places([handoff]))[handoff.id]

    async def view(
        self, handoff: Handoff, *, staff: dict[int, Staff] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """The handoff as the console shows it (``staff``: accounts already read, by id)."""
        assignee = None
        if handoff.assigned_to:
            known = (staff or {}).get(handoff.assigned_to)
            assignee = known or await self.staff.get(handoff.assigned_to)
        return handoff_json(handoff, now=self.clock(), assignee=assignee, **extra)

    async def announce(self, kind: str, handoff: Handoff) -> None:
        """Tell the consoles that may see it that a handoff changed (with what the citizen
        last said, so that a console can show the row without asking again)."""
        words = await self.handoffs.last_said([handoff.conversation_id])
        view = await self.view(handoff, last_said=words.get(handoff.conversation_id))
        self.hub.publish(ConsoleEvent(kind, view, district=handoff.district))

    async def visible(self, handoff_id: str, member: Staff) -> Handoff:
        """The handoff if ``member`` may see it (404 if absent, 403 for another district)."""
        handoff = await self.handoffs.get(handoff_id)
        if handoff is None:
            raise not_found()
        if not member.sees_district(handoff.district):
            raise ApiError(403, "forbidden_district", "这个会话不属于您负责的区域。")
        return handoff

    @staticmethod
    def require_assignee(handoff: Handoff, member: Staff) -> None:
        """Only the person serving the conversation may speak in it or end it."""
        if handoff.status is not Status.ACTIVE:
            raise ApiError(409, "handoff_not_active", "这个会话现在没有人工在服务。")
        if handoff.assigned_to != member.id:
            raise ApiError(403, "not_assigned", "这个会话由其他工作人员负责。")

    # ----------------------------------------------------------------- triggers
    async def request(self, ask: HandoffRequest, *, actor: Actor, announce: bool) -> RequestResult:
        """Queue the conversation for a person (idempotent while a handoff is open).

        ``announce`` pushes the notice to the citizen; a caller that speaks for itself (the
        bot's action) leaves it off and says the returned notice in its own answer.
        """
        info = await self.conversations.store.conversation(ask.conversation_id)
        if info is None:
            raise ApiError(404, "conversation_not_found", "没有找到这个会话。")
        priority = ask.priority or (
            Priority.HIGH if ask.reason is Reason.FRAUD_RISK else Priority.NORMAL
        )
        handoff, created = await self.handoffs.create(
            conversation_id=ask.conversation_id,
            reason=ask.reason,
            priority=priority,
            channel=info.channel,
            citizen_age=ask.citizen_age,
            district=ask.district,
            detail=ask.detail,
            collected=ask.collected or {},
            accessibility=ask.accessibility or {},
        )
        if created:
            await self.announce("handoff.created", handoff)  # consoles first: every ms counts
            await self.audit.append(
                actor,
                "handoff.create",
                "handoff",
                handoff.id,
                {"reason": ask.reason.value, "priority": priority.value},
            )
            logger.info(
                "handoff.created id=%s reason=%s priority=%s channel=%s",
                handoff.id,
                ask.reason.value,
                priority.value,
                info.channel,
            )
        position, eta = await self.place(handoff)
        offered = False
        if handoff.status is Status.ACTIVE:
            item = notices.notice("工作人员正在为您服务，请直接说。")
        elif math.isinf(eta):  # nobody on duty
            item = await self.waiting_room.offer_callback(handoff, busy=False)
            offered = True
        else:
            item = notices.notice(notices.queued(position, queue.wait_words(eta)), code="queued")
            await self.handoffs.noticed(handoff.id, position)
        if announce:
            await self.conversations.add(ask.conversation_id, [item], push=True)
        return RequestResult(handoff, created, position, eta, item, offered)

    async def person_asked(self, conversation_id: str) -> list[MessageItem]:
        """A citizen asked for a person while the bot could not act (the core's StaffSide hook;
        ``conversation.outage``): queued like the bot's own handoff; the notice to answer."""
        result = await self.request(
            HandoffRequest(conversation_id, Reason.REQUESTED, detail="小助手暂时不能办事"),
            actor=SYSTEM,
            announce=False,
        )
        return [result.notice]

    # ----------------------------------------------------------------- the citizen's turns
    async def citizen_turn(self, message: StoredMessage) -> list[MessageItem]:
        """A citizen's message while waiting or with staff (the core's StaffSide hook)."""
        async with self._locks[message.conversation_id]:
            handoff = await self.handoffs.open_for(message.conversation_id)
            if handoff is None:
                # The mode says staff but no handoff is open (e.g. a crash between writes):
                # give the conversation back to the bot rather than leave the citizen alone.
                await self.conversations.store.set_mode(message.conversation_id, Mode.BOT)
                return [notices.notice("小助手继续为您服务，请再说一遍您要办的事。")]
            if handoff.status is Status.ACTIVE:
                return await self._proxy_reply(handoff, message)
            return await self.waiting_room.reply(handoff, message)

    async def _proxy_reply(self, handoff: Handoff, message: StoredMessage) -> list[MessageItem]:
        if self.consent_handler is None:
            return []
        return await self.consent_handler(handoff, message)

    # ----------------------------------------------------------------- staff actions
    async def claim(self, handoff_id: str, member: Staff, actor: Actor) -> Handoff:
        """Take a waiting conversation; 409 if a colleague was first."""
        handoff = await self.visible(handoff_id, member)
        if handoff.status is not Status.WAITING or not await self.handoffs.claim(
            handoff_id, member.id
        ):
            await self.audit.append(actor, "handoff.claim_lost", "handoff", handoff_id)
            raise ApiError(409, "already_claimed", "这个会话已经由其他工作人员接入了。")
        await self.audit.append(actor, "handoff.claim", "handoff", handoff_id)
        await self.conversations.add(
            handoff.conversation_id, [notices.claimed(member.display_name)], push=True
        )
        return await self._changed(handoff_id)

    async def reply(self, handoff_id: str, member: Staff, actor: Actor, text: str) -> StoredMessage:
        """Send the citizen a message on their channel."""
        handoff = await self.visible(handoff_id, member)
        self.require_assignee(handoff, member)
        stored = await self.conversations.add(
            handoff.conversation_id,
            [notices.staff_message(text, member.display_name)],
            push=True,
        )
        await self.audit.append(
            actor, "handoff.message", "handoff", handoff_id, {"seq": stored[0].seq}
        )
        return stored[0]

    async def note(self, handoff_id: str, member: Staff, actor: Actor, text: str) -> dict[str, Any]:
        """A note for colleagues (never shown to the citizen)."""
        handoff = await self.visible(handoff_id, member)
        note = await self.handoffs.add_note(handoff.id, member.id, text)
        await self.audit.append(actor, "handoff.note", "handoff", handoff_id, {"note": note["id"]})
        return note

    async def transfer(
        self, handoff_id: str, member: Staff, actor: Actor, to_username: str
    ) -> Handoff:
        """Give the conversation to a colleague (the holder, or any supervisor: reassign)."""
        handoff = await self.visible(handoff_id, member)
        if handoff.status is not Status.ACTIVE:
            raise ApiError(409, "handoff_not_active", "只能转交正在服务中的会话。")
        if not member.is_supervisor and handoff.assigned_to != member.id:
            raise ApiError(403, "not_assigned", "这个会话由其他工作人员负责。")
        target = await self.staff.by_username(to_username)
        if target is None or not target.active:
            raise ApiError(404, "staff_not_found", "没有这位工作人员。")
        if not target.sees_district(handoff.district):
            raise ApiError(422, "staff_wrong_district", "这位工作人员不负责这个区域。")
        if target.id == handoff.assigned_to:
            raise ApiError(409, "already_assigned", "这个会话已经由这位工作人员负责。")
        holder = None if member.is_supervisor else member.id
        if not await self.handoffs.reassign(handoff_id, from_staff=holder, to_staff=target.id):
            raise ApiError(409, "handoff_changed", "会话刚刚有变化，请刷新后再试。")
        action = "handoff.transfer" if handoff.assigned_to == member.id else "handoff.reassign"
        await self.audit.append(
            actor, action, "handoff", handoff_id, {"from": handoff.assigned_to, "to": target.id}
        )
        await self.conversations.add(
            handoff.conversation_id, [notices.transferred(target.display_name)], push=True
        )
        return await self._changed(handoff_id)

    async def release(
        self, handoff_id: str, member: Staff, actor: Actor, summary: str
    ) -> tuple[Handoff, list[StoredMessage]]:
        """Hand the conversation back to the bot, which greets the citizen with the summary."""
        handoff = await self.visible(handoff_id, member)
        self.require_assignee(handoff, member)
        if not await self.handoffs.end(
            handoff_id,
            outcome=Outcome.RETURNED_TO_BOT,
            summary=summary,
            expect=(Status.ACTIVE,),
            assigned_to=member.id,
        ):
            raise ApiError(409, "handoff_changed", "会话刚刚有变化，请刷新后再试。")
        await self.audit.append(actor, "handoff.release", "handoff", handoff_id)
        greeting = await self.conversations.bot_event(
            handoff.conversation_id,
            "action_handoff_returned",
            {"handoff_summary": summary} if summary else {},
            fallback=notices.welcome_back_fallback(summary),
        )
        return await self._changed(handoff_id), greeting

    async def close(
        self, handoff_id: str, member: Staff, actor: Actor, outcome: Outcome, summary: str
    ) -> Handoff:
        """End the conversation with staff with an outcome; the bot takes over quietly."""
        if outcome not in CLOSE_OUTCOMES:
            raise ApiError(
                422, "outcome_invalid", "请选择一个结果：已解决、已转办、已转代办、市民已离开。"
            )
        handoff = await self.visible(handoff_id, member)
        if handoff.status is Status.CLOSED:
            raise ApiError(409, "handoff_closed", "这个会话已经结束了。")
        held_by_other = handoff.status is Status.ACTIVE and handoff.assigned_to != member.id
        if held_by_other and not member.is_supervisor:
            raise ApiError(403, "not_assigned", "这个会话由其他工作人员负责。")
        if not await self.handoffs.end(handoff_id, outcome=outcome, summary=summary or None):
            raise ApiError(409, "handoff_changed", "会话刚刚有变化，请刷新后再试。")
        await self.audit.append(
            actor, "handoff.close", "handoff", handoff_id, {"outcome": outcome.value}
        )
        await self.conversations.add(handoff.conversation_id, [notices.closed()], push=True)
        return await self._changed(handoff_id)

    async def transferred(self, conversation_id: str) -> Handoff | None:
        """The caller was put through to a staff phone number (the phone's SIP REFER): the
        conversation's open handoff, if any, ends with outcome ``transferred``."""
        async with self._locks[conversation_id]:
            handoff = await self.handoffs.open_for(conversation_id)
            if handoff is None:
                return None
            if not await self.handoffs.end(handoff.id, outcome=Outcome.TRANSFERRED, summary=None):
                return None
            await self.audit.append(SYSTEM, "handoff.transferred", "handoff", handoff.id, {})
            return await self._changed(handoff.id)

    async def step_in(self, conversation_id: str, member: Staff, actor: Actor) -> Handoff:
        """A supervisor takes any conversation: a bot one, a waiting one or a colleague's."""
        if not member.is_supervisor:
            raise ApiError(403, "supervisor_only", "只有主管可以介入。")
        handoff = await self.handoffs.open_for(conversation_id)
        if handoff is None:
            info = await self.conversations.store.conversation(conversation_id)
            if info is None:
                raise ApiError(404, "conversation_not_found", "没有找到这个会话。")
            handoff, new = await self.handoffs.create(
                conversation_id=conversation_id,
                reason=Reason.STEP_IN,
                priority=Priority.NORMAL,
                channel=info.channel,
                citizen_age=None,
                district="",
                detail="",
                collected={},
                accessibility={},
                assign_to=member.id,
            )
            if not new and not await self.handoffs.take_over(handoff.id, member.id):
                raise ApiError(409, "handoff_changed", "会话刚刚有变化，请刷新后再试。")
        elif handoff.assigned_to == member.id and handoff.status is Status.ACTIVE:
            return handoff
        elif not await self.handoffs.take_over(handoff.id, member.id):
            raise ApiError(409, "handoff_changed", "会话刚刚有变化，请刷新后再试。")
        await self.audit.append(
            actor, "conversation.step_in", "conversation", conversation_id, {"handoff": handoff.id}
        )
        await self.conversations.add(
            conversation_id, [notices.claimed(member.display_name)], push=True
        )
        return await self._changed(handoff.id)

    async def route(self, handoff_id: str, member: Staff, actor: Actor, district: str) -> Handoff:
        """A supervisor gives a handoff its district: that district's staff take it from here."""
        if not member.is_supervisor:
            raise ApiError(403, "supervisor_only", "只有主管可以分配区域。")
        handoff = await self.visible(handoff_id, member)
        if handoff.status is Status.CLOSED:
            raise ApiError(409, "handoff_closed", "这个会话已经结束了。")
        if not await self.handoffs.route(handoff_id, district):
            raise not_found()
        await self.audit.append(
            actor,
            "handoff.route",
            "handoff",
            handoff_id,
            {"from": handoff.district, "to": district},
        )
        return await self._changed(handoff_id)

    async def disable_staff(self, username: str, actor: Actor) -> tuple[Staff, list[Handoff]]:
        """Disable an account at once: its sessions end, its consoles' feeds close, and the
        citizens it was serving go back to the queue (and are told another person will take
        over). Returns the person and the handoffs put back."""
        member = await self.staff.by_username(username)
        if member is None or not await self.staff.set_active(username, False):
            raise ApiError(404, "staff_not_found", "没有这位工作人员。")
        self.hub.end_staff(member.id)
        await self.audit.append(actor, "staff.disable", "staff", str(member.id))
        requeued = []
        for handoff in await self.handoffs.active_of(member.id):
            async with self._locks[handoff.conversation_id]:
                if not await self.handoffs.requeue(handoff.id, from_staff=member.id):
                    continue
            await self.audit.append(
                actor, "handoff.requeue", "handoff", handoff.id, {"from": member.id}
            )
            await self.conversations.add(handoff.conversation_id, [notices.staff_left()], push=True)
            requeued.append(await self._changed(handoff.id))
        logger.info("handoff.staff_disabled staff=%s requeued=%s", member.id, len(requeued))
        return member, requeued

    async def _changed(self, handoff_id: str) -> Handoff:
        handoff = await self.handoffs.get(handoff_id)
        if handoff is None:  # pragma: no cover - handoffs are never deleted
            raise not_found()
        await self.announce("handoff.updated", handoff)
        return handoff

    # ----------------------------------------------------------------- the clock
    async def tick(self) -> None:
        """Offer call-backs after the claim timeout or when nobody is on duty, and tell
        waiting citizens when their place in the queue changes."""
        now = self.clock()
        timeout = timedelta(seconds=self.config.claim_timeout_s)
        gap = timedelta(seconds=self.config.position_notice_s)
        for handoff in await self.waiting():
            async with self._locks[handoff.conversation_id]:
                current = await self.handoffs.get(handoff.id)
                if current is None or current.status is not Status.WAITING:
                    continue
                await self.waiting_room.tick(current, now=now, timeout=timeout, gap=gap)

    # ----------------------------------------------------------------- the live feed
    async def on_messages(self, batch: list[StoredMessage]) -> None:
        """Observer of every stored message: consoles watching the conversation get it."""
        for message in batch:
            self.hub.publish(
                ConsoleEvent(
                    "message",
                    {"conversation_id": message.conversation_id, **message_json(message)},
                    conversation_id=message.conversation_id,
                )
            )
