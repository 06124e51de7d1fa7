"""The gateway's store: conversations (with their mode) and every message, in order.

SQLAlchemy 1.4 in 2.0 style over asyncio (aiosqlite in the embedded profile, asyncpg in the
scale profile). The engine is created by :meth:`ConversationStore.open` in the app's lifespan.
The tables are made and changed by the gateway's migrations (``banshi/migrations``), applied
before the store opens; the definitions here are what the code reads and writes, and what a new
migration is generated against.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from conversation.validation import new_conversation_id


class Mode(str, enum.Enum):
    """Who answers the citizen: the bot, nobody yet (queued for staff), or a person."""

    BOT = "bot"
    WAITING = "waiting"
    HUMAN = "human"


class Party(str, enum.Enum):
    """Who wrote a message."""

    CITIZEN = "citizen"
    BOT = "bot"
    STAFF = "staff"
    SYSTEM = "system"


metadata = MetaData()

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("mode", String(16), nullable=False, default=Mode.BOT.value),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # SHA-256 of the conversation token (HTTP clients); None for conversations bound to a
    # connection, a call or an account on the server side.
    Column("token_hash", String(64), nullable=True),
    # The supervisors' live view: the conversations that moved lately, newest first.
    Index("ix_conversations_updated_at", "updated_at"),
)

conversation_settings = Table(
    "conversation_settings",
    metadata,
    Column("conversation_id", String(64), ForeignKey("conversations.id"), primary_key=True),
    Column("key", String(32), primary_key=True),
    Column("value", String(64), nullable=False),
)
"""Per-conversation settings the channels read (``speech_rate``: ``slow`` after "说慢点")."""

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(64), ForeignKey("conversations.id"), nullable=False),
    Column("party", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_messages_conversation_id_id", "conversation_id", "id"),
)


turns = Table(
    "turns",
    metadata,
    Column("conversation_id", String(64), ForeignKey("conversations.id"), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("answer", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""User turns sent with a client message id, and the answer each got (``conversation.turns``)."""


@dataclass
class StoredMessage:
    """One message of a conversation; ``seq`` orders the messages of all conversations."""

    seq: int
    conversation_id: str
    party: Party
    channel: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass
class ConversationInfo:
    """A conversation's row: its channel, who answers it, and when it started and last moved."""

    id: str
    channel: str
    mode: Mode
    created_at: datetime
    updated_at: datetime


def token_hash(token: str) -> str:
    """What the store keeps of a conversation token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ConversationStore:
    """Reads and writes conversations and messages."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @classmethod
    async def open(cls, database_url: str) -> ConversationStore:
        """Create the engine (the schema must be migrated already)."""
        if database_url.startswith("sqlite"):
            # A pool of open connections: SQLAlchemy's default for SQLite files opens a new
            # connection (a thread, the file, the pragmas) for every query, ~4 ms each.
            engine = create_async_engine(
                database_url,
                future=True,
                poolclass=AsyncAdaptedQueuePool,
                pool_size=5,
                max_overflow=10,
                connect_args={"timeout": 15},
            )

            @event.listens_for(engine.sync_engine, "connect")
            def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()
        else:
            engine = create_async_engine(database_url, future=True, pool_pre_ping=True)
        return cls(engine)

    async def close(self) -> None:
        """Release the connection pool."""
        await self._engine.dispose()

    @property
    def engine(self) -> AsyncEngine:
        """The engine, shared with the parts that keep their own tables in the same database
        (``handoff``): one pool, and mode changes in the same transaction as their records."""
        return self._engine

    async def conversation(self, conversation_id: str) -> ConversationInfo | None:
        """The conversation's row, or None when it does not exist."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(conversations).where(conversations.c.id == conversation_id)
                )
            ).first()
        if row is None:
            return None
        return ConversationInfo(row.id, row.channel, Mode(row.mode), row.created_at, row.updated_at)

    async def start_conversation(self, channel: str) -> tuple[str, str]:
        """A new conversation for an HTTP client: its unguessable id and its token.

        Only the token's SHA-256 is kept; the token itself is given out once, here.
        """
        conversation_id = new_conversation_id()
        token = secrets.token_urlsafe(32)
        now = _now()
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(conversations).values(
                    id=conversation_id,
                    channel=channel,
                    mode=Mode.BOT.value,
                    created_at=now,
                    updated_at=now,
                    token_hash=token_hash(token),
                )
            )
        return conversation_id, token

    async def token_matches(self, conversation_id: str, token: str) -> bool:
        """Whether ``token`` is the conversation's token (False when it does not exist or is
        bound on the server side and has no token)."""
        async with self._engine.connect() as connection:
            stored = (
                await connection.execute(
                    select(conversations.c.token_hash).where(conversations.c.id == conversation_id)
                )
            ).scalar()
        return stored is not None and hmac.compare_digest(str(stored), token_hash(token))

    async def ensure_conversation(self, conversation_id: str, channel: str) -> Mode:
        """Create the conversation if it is new; return its mode. Only for conversations bound
        on the server side (a kiosk connection, a call), whose ids the gateway chose."""
        async with self._engine.begin() as connection:
            row = (
                await connection.execute(
                    select(conversations.c.mode).where(conversations.c.id == conversation_id)
                )
            ).first()
            if row is not None:
                return Mode(row.mode)
            now = _now()
            await connection.execute(
                insert(conversations).values(
                    id=conversation_id,
                    channel=channel,
                    mode=Mode.BOT.value,
                    created_at=now,
                    updated_at=now,
                )
            )
            return Mode.BOT

    async def mode(self, conversation_id: str) -> Mode | None:
        """The conversation's mode, or None when it does not exist."""
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(conversations.c.mode).where(conversations.c.id == conversation_id)
                )
            ).scalar()
        return Mode(value) if value is not None else None

    async def settings(self, conversation_id: str) -> dict[str, str]:
        """The conversation's settings (empty when none was set)."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(conversation_settings.c.key, conversation_settings.c.value).where(
                    conversation_settings.c.conversation_id == conversation_id
                )
            )
            return {str(key): str(value) for key, value in rows}

    async def set_setting(self, conversation_id: str, key: str, value: str) -> None:
        """Set one setting of the conversation (replacing its earlier value)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(conversation_settings).where(
                    (conversation_settings.c.conversation_id == conversation_id)
                    & (conversation_settings.c.key == key)
                )
            )
            await connection.execute(
                insert(conversation_settings).values(
                    conversation_id=conversation_id, key=key, value=value
                )
            )

    async def set_mode(self, conversation_id: str, mode: Mode) -> None:
        """Change who answers the conversation."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(mode=mode.value, updated_at=_now())
            )

    async def add_messages(
        self,
        conversation_id: str,
        channel: str,
        items: list[tuple[Party, str, dict[str, Any]]],
    ) -> list[StoredMessage]:
        """Append messages in order, in one transaction; return them with their seq numbers."""
        stored: list[StoredMessage] = []
        async with self._engine.begin() as connection:
            for party, text, payload in items:
                now = _now()
                result = await connection.execute(
                    insert(messages).values(
                        conversation_id=conversation_id,
                        party=party.value,
                        channel=channel,
                        text=text,
                        payload=json.dumps(payload, ensure_ascii=False),
                        created_at=now,
                    )
                )
                seq = int(result.inserted_primary_key[0])
                stored.append(
                    StoredMessage(seq, conversation_id, party, channel, text, payload, now)
                )
            await connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(updated_at=_now())
            )
        return stored

    async def messages_by_seq(self, conversation_id: str, seqs: list[int]) -> list[StoredMessage]:
        """The conversation's messages with these seq numbers, oldest first."""
        if not seqs:
            return []
        query = (
            select(messages)
            .where(messages.c.conversation_id == conversation_id, messages.c.id.in_(seqs))
            .order_by(messages.c.id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_message(row) for row in rows]

    async def messages_after(
        self,
        conversation_id: str,
        after: int,
        *,
        parties: tuple[Party, ...] | None = None,
        limit: int = 200,
    ) -> list[StoredMessage]:
        """Messages of a conversation with ``seq > after``, oldest first."""
        query = (
            select(messages)
            .where(messages.c.conversation_id == conversation_id, messages.c.id > after)
            .order_by(messages.c.id)
            .limit(limit)
        )
        if parties:
            query = query.where(messages.c.party.in_([p.value for p in parties]))
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_message(row) for row in rows]

    async def count_conversations(self) -> int:
        """How many conversations exist (for metrics)."""
        async with self._engine.connect() as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(conversations))).scalar()
                or 0
            )


def _message(row: Any) -> StoredMessage:
    return StoredMessage(
        row.id,
        row.conversation_id,
        Party(row.party),
        row.channel,
        row.text,
        json.loads(row.payload or "{}"),
        row.created_at,
    )
