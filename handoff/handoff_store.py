"""Handoffs, their notes and call-back tasks, and the conversation mode that goes with them.

Every state change is a compare-and-set (``UPDATE … WHERE status = expected``): two staff who
claim at the same moment both send the UPDATE, the database serialises them, and exactly one
finds the row still waiting. The conversation's mode changes in the same transaction, so the
mode and the handoff never disagree.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from conversation.store import Mode, Party, conversations, messages
from handoff.clock import Clock, as_utc, utc_now
from handoff.models import (
    Callback,
    CallbackState,
    Handoff,
    Outcome,
    Priority,
    Reason,
    Status,
)
from handoff.tables import callbacks, handoffs, notes, staff

OPEN = (Status.WAITING.value, Status.ACTIVE.value)


def _handoff(row: Any) -> Handoff:
    return Handoff(
        id=row.id,
        conversation_id=row.conversation_id,
        status=Status(row.status),
        reason=Reason(row.reason),
        priority=Priority(row.priority),
        channel=row.channel,
        created_at=as_utc(row.created_at) or utc_now(),
        citizen_age=row.citizen_age,
        district=row.district or "",
        detail=row.detail or "",
        collected=json.loads(row.collected or "{}"),
        accessibility=json.loads(row.accessibility or "{}"),
        assigned_to=row.assigned_to,
        claimed_at=as_utc(row.claimed_at),
        ended_at=as_utc(row.ended_at),
        outcome=Outcome(row.outcome) if row.outcome else None,
        summary=row.summary,
        callback_state=CallbackState(row.callback_state or "none"),
        callback_phone=row.callback_phone,
        callback_offered_at=as_utc(row.callback_offered_at),
        last_notice_at=as_utc(row.last_notice_at),
        last_position=row.last_position,
    )


def _callback(row: Any) -> Callback:
    return Callback(
        id=row.id,
        handoff_id=row.handoff_id,
        conversation_id=row.conversation_id,
        phone=row.phone,
        district=row.district,
        reason=row.reason,
        status=row.status,
        created_at=as_utc(row.created_at) or utc_now(),
        due_at=as_utc(row.due_at) or utc_now(),
        done_at=as_utc(row.done_at),
        done_by=row.done_by,
        outcome=row.outcome,
    )


class HandoffStore:
    """Reads and writes handoffs, notes and call-backs."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.clock = clock

    @property
    def engine(self) -> AsyncEngine:
        """The shared engine (for transactions that span the audit log)."""
        return self._engine

    async def _set_mode(
        self, connection: AsyncConnection, conversation_id: str, mode: Mode
    ) -> None:
        await connection.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(mode=mode.value, updated_at=self.clock())
        )

    async def _set_handoff_mode(
        self, connection: AsyncConnection, handoff_id: str, mode: Mode
    ) -> None:
        """Set the mode of the conversation a handoff belongs to (same transaction)."""
        conversation_id = (
            await connection.execute(
                select(handoffs.c.conversation_id).where(handoffs.c.id == handoff_id)
            )
        ).scalar_one()
        await self._set_mode(connection, conversation_id, mode)

    # ----------------------------------------------------------------- create and read
    async def create(
        self,
        *,
        conversation_id: str,
        reason: Reason,
        priority: Priority,
        channel: str,
        citizen_age: int | None,
        district: str,
        detail: str,
        collected: dict[str, Any],
        accessibility: dict[str, Any],
        assign_to: int | None = None,
    ) -> tuple[Handoff, bool]:
        """Queue the conversation (or, with ``assign_to``, give it to that person at once).

        Returns the handoff and whether it is new: a conversation that has an open handoff
        keeps it (a second request, even at the same moment, creates nothing).
        """
        now = self.clock()
        handoff_id = uuid.uuid4().hex
        status = Status.ACTIVE if assign_to is not None else Status.WAITING
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    insert(handoffs).values(
                        id=handoff_id,
                        conversation_id=conversation_id,
                        status=status.value,
                        reason=reason.value,
                        priority=priority.value,
                        citizen_age=citizen_age,
                        district=district,
                        channel=channel,
                        detail=detail,
                        collected=json.dumps(collected, ensure_ascii=False),
                        accessibility=json.dumps(accessibility, ensure_ascii=False),
                        assigned_to=assign_to,
                        created_at=now,
                        claimed_at=now if assign_to is not None else None,
                        callback_state=CallbackState.NONE.value,
                    )
                )
                mode = Mode.HUMAN if assign_to is not None else Mode.WAITING
                await self._set_mode(connection, conversation_id, mode)
        except IntegrityError:
            existing = await self.open_for(conversation_id)
            if existing is None:
                raise
            return existing, False
        created = await self.get(handoff_id)
        assert created is not None
        return created, True

    async def get(self, handoff_id: str) -> Handoff | None:
        """One handoff by id."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(handoffs).where(handoffs.c.id == handoff_id))
            ).first()
        return _handoff(row) if row else None

    async def open_for(self, conversation_id: str) -> Handoff | None:
        """The conversation's open (waiting or active) handoff, if any."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(handoffs).where(
                        handoffs.c.conversation_id == conversation_id,
                        handoffs.c.status.in_(OPEN),
                    )
                )
            ).first()
        return _handoff(row) if row else None

    async def for_conversation(self, conversation_id: str) -> list[Handoff]:
        """Every handoff of a conversation, oldest first."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(handoffs)
                    .where(handoffs.c.conversation_id == conversation_id)
                    .order_by(handoffs.c.created_at)
                )
            ).all()
        return [_handoff(row) for row in rows]

    async def in_state(
        self, *, status: Status, since: datetime | None = None, limit: int = 500
    ) -> list[Handoff]:
        """Handoffs in one state (closed ones newest first, others oldest first)."""
        query = select(handoffs).where(handoffs.c.status == status.value).limit(limit)
        if since is not None:
            query = query.where(handoffs.c.created_at >= since)
        if status is Status.CLOSED:
            query = query.order_by(handoffs.c.ended_at.desc())
        else:
            query = query.order_by(handoffs.c.created_at)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_handoff(row) for row in rows]

    async def last_said(self, conversation_ids: list[str]) -> dict[str, str]:
        """The latest citizen message of each conversation (one query for all of them)."""
        if not conversation_ids:
            return {}
        latest = (
            select(func.max(messages.c.id).label("id"))
            .where(
                messages.c.conversation_id.in_(conversation_ids),
                messages.c.party == Party.CITIZEN.value,
            )
            .group_by(messages.c.conversation_id)
        )
        query = select(messages.c.conversation_id, messages.c.text).where(
            messages.c.id.in_(latest.scalar_subquery())
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {row.conversation_id: row.text for row in rows}

    async def since(self, moment: datetime) -> list[Handoff]:
        """Every handoff created since ``moment`` (for the dashboard)."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(select(handoffs).where(handoffs.c.created_at >= moment))
            ).all()
        return [_handoff(row) for row in rows]

    async def mean_handle_s(self, *, last: int = 20) -> float | None:
        """Mean time from claim to end over the last ``last`` finished handoffs."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(handoffs.c.claimed_at, handoffs.c.ended_at)
                    .where(
                        handoffs.c.status == Status.CLOSED.value,
                        handoffs.c.claimed_at.is_not(None),
                        handoffs.c.ended_at.is_not(None),
                    )
                    .order_by(handoffs.c.ended_at.desc())
                    .limit(last)
                )
            ).all()
        spans = [
            (as_utc(r.ended_at) - as_utc(r.claimed_at)).total_seconds()  # type: ignore[operator]
            for r in rows
        ]
        return sum(spans) / len(spans) if spans else None

    # ----------------------------------------------------------------- transitions
    async def claim(self, handoff_id: str, staff_id: int) -> bool:
        """Waiting → active for ``staff_id``; False if someone else was first."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs)
                .where(handoffs.c.id == handoff_id, handoffs.c.status == Status.WAITING.value)
                .values(status=Status.ACTIVE.value, assigned_to=staff_id, claimed_at=self.clock())
            )
            if result.rowcount != 1:
                return False
            await self._set_handoff_mode(connection, handoff_id, Mode.HUMAN)
        return True

    async def reassign(self, handoff_id: str, *, from_staff: int | None, to_staff: int) -> bool:
        """Give an active handoff to ``to_staff`` (only if ``from_staff`` still holds it, when
        given); False if it changed hands or ended meanwhile."""
        condition = [handoffs.c.id == handoff_id, handoffs.c.status == Status.ACTIVE.value]
        if from_staff is not None:
            condition.append(handoffs.c.assigned_to == from_staff)
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs).where(*condition).values(assigned_to=to_staff)
            )
        return result.rowcount == 1

    async def route(self, handoff_id: str, district: str) -> bool:
        """Give a handoff (and its call-back tasks) a district; False if it does not exist."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs).where(handoffs.c.id == handoff_id).values(district=district)
            )
            if result.rowcount != 1:
                return False
            await connection.execute(
                update(callbacks)
                .where(callbacks.c.handoff_id == handoff_id)
                .values(district=district)
            )
        return True

    async def active_of(self, staff_id: int) -> list[Handoff]:
        """The handoffs ``staff_id`` is serving now."""
        query = select(handoffs).where(
            handoffs.c.status == Status.ACTIVE.value, handoffs.c.assigned_to == staff_id
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_handoff(row) for row in rows]

    async def requeue(self, handoff_id: str, *, from_staff: int) -> bool:
        """Active with ``from_staff`` → waiting again, unassigned (the person left); False if
        it changed hands or ended meanwhile."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs)
                .where(
                    handoffs.c.id == handoff_id,
                    handoffs.c.status == Status.ACTIVE.value,
                    handoffs.c.assigned_to == from_staff,
                )
                .values(status=Status.WAITING.value, assigned_to=None)
            )
            if result.rowcount != 1:
                return False
            await self._set_handoff_mode(connection, handoff_id, Mode.WAITING)
        return True

    async def take_over(self, handoff_id: str, staff_id: int) -> bool:
        """A supervisor takes an open handoff, waiting or active (step in)."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs)
                .where(handoffs.c.id == handoff_id, handoffs.c.status.in_(OPEN))
                .values(
                    status=Status.ACTIVE.value,
                    assigned_to=staff_id,
                    claimed_at=func.coalesce(handoffs.c.claimed_at, self.clock()),
                )
            )
            if result.rowcount != 1:
                return False
            await self._set_handoff_mode(connection, handoff_id, Mode.HUMAN)
        return True

    async def end(
        self,
        handoff_id: str,
        *,
        outcome: Outcome,
        summary: str | None,
        expect: tuple[Status, ...] = (Status.WAITING, Status.ACTIVE),
        assigned_to: int | None = None,
    ) -> bool:
        """Close the handoff and give the conversation back to the bot; False if it was not in
        an expected state (or, with ``assigned_to``, not held by that person)."""
        condition = [
            handoffs.c.id == handoff_id,
            handoffs.c.status.in_([s.value for s in expect]),
        ]
        if assigned_to is not None:
            condition.append(handoffs.c.assigned_to == assigned_to)
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs)
                .where(*condition)
                .values(
                    status=Status.CLOSED.value,
                    outcome=outcome.value,
                    summary=summary,
                    ended_at=self.clock(),
                )
            )
            if result.rowcount != 1:
                return False
            await self._set_handoff_mode(connection, handoff_id, Mode.BOT)
        return True

    async def set_callback(
        self,
        handoff_id: str,
        state: CallbackState,
        *,
        phone: str | None = None,
        offered_at: datetime | None = None,
    ) -> None:
        """Move the call-back conversation on (the phone being confirmed, if any)."""
        values: dict[str, Any] = {"callback_state": state.value, "callback_phone": phone}
        if offered_at is not None:
            values["callback_offered_at"] = offered_at
        async with self._engine.begin() as connection:
            await connection.execute(
                update(handoffs).where(handoffs.c.id == handoff_id).values(**values)
            )

    async def noticed(self, handoff_id: str, position: int) -> None:
        """Remember the position last told to the citizen, and when."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(handoffs)
                .where(handoffs.c.id == handoff_id)
                .values(last_position=position, last_notice_at=self.clock())
            )

    # ----------------------------------------------------------------- notes
    async def add_note(self, handoff_id: str, staff_id: int, text: str) -> dict[str, Any]:
        """A staff note on the handoff (never shown to the citizen)."""
        now = self.clock()
        async with self._engine.begin() as connection:
            result = await connection.execute(
                insert(notes).values(
                    handoff_id=handoff_id, staff_id=staff_id, text=text, created_at=now
                )
            )
        return {"id": int(result.inserted_primary_key[0]), "text": text, "at": now}

    async def notes(self, handoff_id: str) -> list[dict[str, Any]]:
        """The handoff's notes with their authors, oldest first."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(notes, staff.c.display_name)
                    .join(staff, staff.c.id == notes.c.staff_id)
                    .where(notes.c.handoff_id == handoff_id)
                    .order_by(notes.c.id)
                )
            ).all()
        return [
            {"id": r.id, "text": r.text, "by": r.display_name, "at": as_utc(r.created_at)}
            for r in rows
        ]

    # ----------------------------------------------------------------- call-backs
    async def arrange_callback(
        self, handoff: Handoff, *, phone: str, due_at: datetime
    ) -> Callback | None:
        """Close the handoff with outcome ``callback`` and create the call-back task, in one
        transaction; None if the handoff was claimed or closed meanwhile."""
        now = self.clock()
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(handoffs)
                .where(handoffs.c.id == handoff.id, handoffs.c.status == Status.WAITING.value)
                .values(
                    status=Status.CLOSED.value,
                    outcome=Outcome.CALLBACK.value,
                    ended_at=now,
                    callback_state=CallbackState.ARRANGED.value,
                    callback_phone=None,
                )
            )
            if result.rowcount != 1:
                return None
            inserted = await connection.execute(
                insert(callbacks).values(
                    handoff_id=handoff.id,
                    conversation_id=handoff.conversation_id,
                    phone=phone,
                    district=handoff.district,
                    reason=handoff.reason.value,
                    status="open",
                    created_at=now,
                    due_at=due_at,
                )
            )
            await self._set_mode(connection, handoff.conversation_id, Mode.BOT)
        return Callback(
            int(inserted.inserted_primary_key[0]),
            handoff.id,
            handoff.conversation_id,
            phone,
            handoff.district,
            handoff.reason.value,
            "open",
            now,
            due_at,
        )

    async def callbacks(self, *, status: str | None = "open") -> list[Callback]:
        """Call-back tasks, the earliest due first."""
        query = select(callbacks).order_by(callbacks.c.due_at, callbacks.c.id)
        if status:
            query = query.where(callbacks.c.status == status)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_callback(row) for row in rows]

    async def callback(self, callback_id: int) -> Callback | None:
        """One call-back task."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(callbacks).where(callbacks.c.id == callback_id))
            ).first()
        return _callback(row) if row else None

    async def finish_callback(self, callback_id: int, *, staff_id: int, outcome: str) -> bool:
        """Mark an open call-back done; False if it was done already."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(callbacks)
                .where(callbacks.c.id == callback_id, callbacks.c.status == "open")
                .values(status="done", done_at=self.clock(), done_by=staff_id, outcome=outcome)
            )
        return result.rowcount == 1
