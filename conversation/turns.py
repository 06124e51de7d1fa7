"""Turns in order, each handled once.

A citizen who taps 对 twice, a phone that resends after a weak signal, a page retrying after a
timeout: the same turn arrives again, or several turns of one conversation arrive at once.

- **In order.** :class:`TurnGate` lets one turn of a conversation through at a time, in the order
  they came (asyncio's lock is fair). A conversation may have at most ``max_waiting`` turns
  waiting; one more is refused with ``turn_queue_full`` (stored nothing), never dropped silently.
- **Once.** A turn sent with a client message id is claimed in ``turns`` before it joins the
  line; the primary key (conversation, message id) makes the claim atomic across gateway
  processes. A retry finds the claim and never joins the line: when the first is answered it
  gets the same answer; while the first is still waiting or being handled it waits for that. A
  turn that failed (the bot was down) gives its claim back, so a retry is handled afresh.

The gate is per process: in the scale profile, Rasa's lock store orders the turns of one
conversation across gateways, and the claims stay exact because they live in the database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from conversation.errors import ApiError
from conversation.store import turns

PENDING = "pending"
DONE = "done"


@dataclass
class _Line:
    lock: asyncio.Lock
    users: int = 0


def _in_progress() -> ApiError:
    return ApiError(409, "turn_in_progress", "这句话还在处理，请稍等一下再看回复。")


class TurnGate:
    """One turn per conversation at a time, in arrival order, with a bounded wait line."""

    def __init__(self, *, max_waiting: int = 8) -> None:
        self.max_waiting = max_waiting
        self._lines: dict[str, _Line] = {}

    @asynccontextmanager
    async def turn(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation's turn; raise ``turn_queue_full`` when too many wait."""
        line = self._lines.get(conversation_id)
        if line is None:
            line = self._lines[conversation_id] = _Line(asyncio.Lock())
        if line.users > self.max_waiting:
            raise ApiError(429, "turn_queue_full", "您发得太快了，请等我回答完上一句再说。")
        line.users += 1
        try:
            async with line.lock:
                yield
        finally:
            line.users -= 1
            if line.users == 0:
                # Nobody holds or waits: forget the line, so memory follows the live turns only.
                del self._lines[conversation_id]

    def waiting(self) -> int:
        """How many conversations have a turn in hand (for tests and metrics)."""
        return len(self._lines)


class TurnLog:
    """Claims of turns sent with a client message id, and their answers."""

    def __init__(self, engine: AsyncEngine, *, wait_s: float = 30.0) -> None:
        self._engine = engine
        self.wait_s = wait_s
        # Claims this process holds, so that its own retries wait here instead of racing the
        # claim in the database (SQLite serialises those writes badly).
        self._held: dict[tuple[str, str], asyncio.Event] = {}

    async def claim(self, conversation_id: str, message_id: str) -> dict[str, Any] | None:
        """Claim the turn; None when this is its first arrival (handle it), else the answer the
        first arrival got (after waiting for it when it is still being handled)."""
        key = (conversation_id, message_id)
        held = self._held.get(key)
        if held is not None:
            try:
                await asyncio.wait_for(held.wait(), self.wait_s)
            except asyncio.TimeoutError:
                raise _in_progress() from None
            return await self._earlier(conversation_id, message_id)
        self._held[key] = asyncio.Event()
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    insert(turns).values(
                        conversation_id=conversation_id,
                        message_id=message_id,
                        status=PENDING,
                        created_at=datetime.now(timezone.utc),
                    )
                )
            return None
        except IntegrityError as error:
            self._release(key)
            if await self._row(conversation_id, message_id) is None:
                # Not a second arrival (that would have found the first one's row): the
                # conversation itself is not stored, so the turn has nothing to belong to.
                raise ApiError(404, "conversation_not_found", "没有找到这个会话。") from error
        except BaseException:
            self._release(key)
            raise
        return await self._earlier(conversation_id, message_id)

    async def _earlier(self, conversation_id: str, message_id: str) -> dict[str, Any] | None:
        """The answer of a turn claimed before (waiting while it is handled elsewhere)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        while True:
            row = await self._row(conversation_id, message_id)
            if row is None:
                # The first arrival failed and gave the claim back: this one handles it.
                return await self.claim(conversation_id, message_id)
            if row.status == DONE:
                return dict(json.loads(row.answer or "{}"))
            if loop.time() >= deadline:
                raise _in_progress()
            await asyncio.sleep(0.05)

    def _release(self, key: tuple[str, str]) -> None:
        held = self._held.pop(key, None)
        if held is not None:
            held.set()

    async def answered(self, conversation_id: str, message_id: str, answer: dict[str, Any]) -> None:
        """Keep the answer of the claimed turn for its retries."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    update(turns)
                    .where(
                        turns.c.conversation_id == conversation_id,
                        turns.c.message_id == message_id,
                    )
                    .values(status=DONE, answer=json.dumps(answer, ensure_ascii=False))
                )
        finally:
            self._release((conversation_id, message_id))

    async def give_back(self, conversation_id: str, message_id: str) -> None:
        """The claimed turn failed: a retry may handle it again."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    delete(turns).where(
                        turns.c.conversation_id == conversation_id,
                        turns.c.message_id == message_id,
                    )
                )
        finally:
            self._release((conversation_id, message_id))

    async def purge(self, older_than_s: float) -> int:
        """Forget the answered turns claimed more than ``older_than_s`` ago (a retry comes
        within seconds; the transcript keeps the turn itself); return how many."""
        cutoff = datetime.now(timezone.utc) - timedelta(seconds=older_than_s)
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(turns).where(turns.c.status == DONE, turns.c.created_at < cutoff)
            )
        return int(result.rowcount or 0)

    async def _row(self, conversation_id: str, message_id: str) -> Any:
        async with self._engine.connect() as connection:
            return (
                await connection.execute(
                    select(turns.c.status, turns.c.answer).where(
                        turns.c.conversation_id == conversation_id,
                        turns.c.message_id == message_id,
                    )
                )
            ).first()
