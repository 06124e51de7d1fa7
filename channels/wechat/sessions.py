"""A conversation per follower, bound on the server side by their OpenID.

The OpenID is personal (it names one person for one Official Account): the key, the logs and
the dialogue's metadata use :func:`openid_hash` (SHA-256 of app id + OpenID). The OpenID itself
is kept only to send to it. A follower's conversation goes on until a pause of ``idle_s``, the
bot's goodbye, or unfollowing; the next message then starts a new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.wechat.tables import wechat_conversations
from conversation.validation import new_conversation_id


def openid_hash(app_id: str, openid: str) -> str:
    """What stands for a follower everywhere but the send call."""
    return hashlib.sha256(f"{app_id}{openid}".encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class WeChatSessions:
    """Reads and writes ``wechat_conversations``."""

    def __init__(
        self, engine: AsyncEngine, *, idle_s: float, clock: Callable[[], datetime] = _now
    ) -> None:
        self._engine = engine
        self.idle = timedelta(seconds=idle_s)
        self._clock = clock
        # One lock per follower while someone holds or waits for it (then forgotten).
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def current(self, key: str, openid: str) -> str:
        """The follower's conversation: the one going on, or a new one after a pause or an end."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            now = self._clock()
            async with self._engine.begin() as connection:
                row = (
                    await connection.execute(
                        select(wechat_conversations).where(
                            wechat_conversations.c.openid_hash == key
                        )
                    )
                ).first()
                if (
                    row is not None
                    and row.conversation_id
                    and now - _aware(row.last_active_at) < self.idle
                ):
                    await connection.execute(
                        update(wechat_conversations)
                        .where(wechat_conversations.c.openid_hash == key)
                        .values(last_active_at=now)
                    )
                    return str(row.conversation_id)
                conversation_id = new_conversation_id()
                values = {
                    "openid": openid,
                    "conversation_id": conversation_id,
                    "last_active_at": now,
                    "options": None,
                }
                if row is None:
                    await connection.execute(
                        insert(wechat_conversations).values(openid_hash=key, **values)
                    )
                else:
                    await connection.execute(
                        update(wechat_conversations)
                        .where(wechat_conversations.c.openid_hash == key)
                        .values(**values)
                    )
                return conversation_id

    async def end(self, key: str) -> None:
        """The conversation ended (goodbye, unfollow): the next message starts a new one."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(wechat_conversations)
                .where(wechat_conversations.c.openid_hash == key)
                .values(conversation_id=None, options=None)
            )

    async def options(self, key: str) -> list[dict[str, str]]:
        """The numbered options of the follower's last answer."""
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(wechat_conversations.c.options).where(
                        wechat_conversations.c.openid_hash == key
                    )
                )
            ).scalar()
        return list(json.loads(value)) if value else []

    async def set_options(self, key: str, options: list[dict[str, str]]) -> None:
        """Remember the options just shown (none: a number is text again)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(wechat_conversations)
                .where(wechat_conversations.c.openid_hash == key)
                .values(options=json.dumps(options, ensure_ascii=False) if options else None)
            )

    async def openid_of(self, conversation_id: str) -> str | None:
        """The follower a conversation belongs to (to send staff replies to)."""
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(wechat_conversations.c.openid).where(
                        wechat_conversations.c.conversation_id == conversation_id
                    )
                )
            ).scalar()
        return str(value) if value else None

    async def conversation_of(self, key: str) -> str | None:
        """The follower's conversation going on (None after an end)."""
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(wechat_conversations.c.conversation_id).where(
                        wechat_conversations.c.openid_hash == key
                    )
                )
            ).scalar()
        return str(value) if value else None
