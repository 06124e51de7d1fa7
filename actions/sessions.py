"""Citizen sessions: the platform's citizen token of each conversation, kept by the action
server, never in Rasa's tracker.

A citizen token lets anyone who holds it act as the citizen for 30 minutes, so it stays out
of the tracker store (and out of Rasa's event broker and the tracker API). After a
verification the actions keep it here, keyed by the conversation (Rasa's sender id), with the
expiry the platform gave; the tracker only gets the non-secret marker ``citizen_verified``.

The table, ``citizen_sessions``, is in the gateway's database (``BANSHI_GATEWAY_DATABASE_URL``:
SQLite in the embedded profile, PostgreSQL in the scale profile, so every action server
replica sees the same sessions); the gateway's migrations make it (revision 0003). An expired
token counts as absent (the citizen is asked to verify again), and expired rows are deleted
whenever a session is written or found expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()

citizen_sessions = Table(
    "citizen_sessions",
    metadata,
    Column("sender_id", String(64), primary_key=True),
    Column("citizen_token", String(256), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_citizen_sessions_expires_at", "expires_at"),
)

TOKEN_LIFETIME = timedelta(minutes=30)
"""A citizen token's life when the platform gives no ``expires_at`` (PLATFORM_API.md)."""
EARLY = timedelta(seconds=30)
"""A token is treated as expired this long before the platform's expiry (a call made just
before the end would be refused on arrival)."""
_SQLITE_BUSY_TIMEOUT_S = 30


def utc_now() -> datetime:
    """Now, in UTC."""
    return datetime.now(timezone.utc)


def expiry(expires_at: str | None, *, now: datetime | None = None) -> datetime:
    """When a token the platform issued at ``now`` expires, in UTC (its ``expires_at``, an ISO
    time with an offset; else 30 minutes on)."""
    now = now or utc_now()
    if expires_at:
        try:
            parsed = datetime.fromisoformat(expires_at)
        except ValueError:
            parsed = None
        if parsed is not None:
            aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
            return aware.astimezone(timezone.utc)
    return now + TOKEN_LIFETIME


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time read back without a zone (SQLite keeps none) is UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class CitizenSessions:
    """The citizen tokens of conversations, in the gateway's database."""

    def __init__(self, database_url: str) -> None:
        if not database_url:
            raise RuntimeError(
                "action server: BANSHI_GATEWAY_DATABASE_URL is not set; start it with "
                "`banshi run`, which sets it to the gateway's database."
            )
        options: dict[str, Any] = {}
        if database_url.startswith("sqlite"):
            options["connect_args"] = {"timeout": _SQLITE_BUSY_TIMEOUT_S}
        self.engine: AsyncEngine = create_async_engine(database_url, future=True, **options)

    async def close(self) -> None:
        """Close the database connections."""
        await self.engine.dispose()

    async def ping(self) -> None:
        """Raise unless the database answers (the server's ``/readyz``)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def save(self, sender_id: str, token: str, expires_at: datetime) -> None:
        """Keep ``token`` for the conversation ``sender_id`` until ``expires_at`` (replacing
        the one it had); expired sessions of every conversation are deleted on the way."""
        now = utc_now()
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(citizen_sessions).where(
                    (citizen_sessions.c.sender_id == sender_id)
                    | (citizen_sessions.c.expires_at <= now)
                )
            )
            await connection.execute(
                insert(citizen_sessions).values(
                    sender_id=sender_id,
                    citizen_token=token,
                    expires_at=_utc(expires_at),
                    created_at=now,
                )
            )

    async def token(self, sender_id: str) -> str | None:
        """The conversation's citizen token, or None when it has none or it has expired (an
        expired one is deleted)."""
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(citizen_sessions.c.citizen_token, citizen_sessions.c.expires_at).where(
                        citizen_sessions.c.sender_id == sender_id
                    )
                )
            ).first()
        if row is None:
            return None
        if _utc(row.expires_at) - EARLY <= utc_now():
            await self.forget(sender_id)
            return None
        return str(row.citizen_token)

    async def forget(self, sender_id: str) -> None:
        """Drop the conversation's token (and every expired one)."""
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(citizen_sessions).where(
                    (citizen_sessions.c.sender_id == sender_id)
                    | (citizen_sessions.c.expires_at <= utc_now())
                )
            )
