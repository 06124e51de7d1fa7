"""Bring the gateway's database to the newest schema: ``alembic upgrade head``, at start.

One migration history (``banshi/migrations``) for every table of the gateway's database: the
conversation core's (:mod:`conversation.store`), the staff desk's (:mod:`handoff.tables`) and
the action server's citizen sessions (:mod:`actions.sessions`).
The gateway calls :func:`upgrade_to_head` in its lifespan before its stores open, and so does
``banshi staff``; no code creates tables any other way.

Processes that start together take turns: the whole migration runs in one transaction that
first takes a lock (``pg_advisory_xact_lock`` on PostgreSQL, SQLite's write lock with
``BEGIN IMMEDIATE``), so a second process waits, then finds the schema at head and does
nothing. A failed migration rolls back as a whole (both databases have transactional DDL).

A database made before the migrations (tables from ``create_all``, no ``alembic_version``) is
adopted: revision 1 runs with the tables it finds left alone, so it only adds the tables the
old code would have added and records revision 1 (a stamp, when nothing was missing); the
later revisions follow.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from actions.sessions import metadata as action_metadata
from channels.wechat.tables import metadata as wechat_metadata
from conversation.store import metadata as conversation_metadata
from handoff.tables import metadata as handoff_metadata

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

BASELINE = "0001"
"""Revision 1: the schema as ``create_all`` made it before the migrations."""

GATEWAY_METADATA: tuple[MetaData, ...] = (
    conversation_metadata,
    handoff_metadata,
    action_metadata,
    wechat_metadata,
)
"""What the gateway's tables should look like (autogenerate compares with these)."""

PRE_ALEMBIC_TABLES_KEY = "pre_alembic_tables"
"""``Config.attributes`` key: the tables of a database being adopted (revision 1 skips them)."""

_PG_LOCK_KEY = 0x67617465776179  # "gateway": shared by every gateway process
_SQLITE_BUSY_TIMEOUT_S = 60


def alembic_config(
    connection: Connection | None = None, *, pre_alembic_tables: frozenset[str] = frozenset()
) -> Config:
    """An alembic configuration for the gateway's migrations, optionally bound to
    ``connection`` (and, to adopt a database, naming the tables it has already)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    config.attributes[PRE_ALEMBIC_TABLES_KEY] = pre_alembic_tables
    return config


@asynccontextmanager
async def migration_connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection to the database at ``database_url``, in a transaction that holds the
    migration lock; committed when the block ends without an error."""
    sqlite = database_url.startswith("sqlite")
    options: dict[str, Any] = {"timeout": _SQLITE_BUSY_TIMEOUT_S} if sqlite else {}
    engine = create_async_engine(
        database_url, future=True, poolclass=NullPool, connect_args=options
    )
    if sqlite:
        # The driver would start transactions itself (and not before DDL); say BEGIN here,
        # IMMEDIATE so that the write lock is taken before anything is read.
        @event.listens_for(engine.sync_engine, "connect")
        def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            yield connection
    finally:
        await engine.dispose()


async def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration to the gateway's database at ``database_url`` (an
    asyncio URL: ``sqlite+aiosqlite`` or ``postgresql+asyncpg``)."""
    try:
        async with migration_connection(database_url) as connection:
            before, after = await connection.run_sync(_upgrade)
    except Exception:
        logger.exception("gateway.db.migration_failed code=db_migration_failed (rolled back)")
        raise
    if before != after:
        logger.info("gateway.db.migrated from=%s to=%s", before or "-", after)


async def current_revision(database_url: str) -> str | None:
    """The revision the database is at (None before the first migration)."""
    engine = create_async_engine(database_url, future=True, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> tuple[str | None, str | None]:
    before = _current(connection)
    existing = frozenset(inspect(connection).get_table_names())
    ours = {table.name for metadata in GATEWAY_METADATA for table in metadata.sorted_tables}
    if before is None and existing & ours:
        logger.warning(
            "gateway.db.adopting tables=%d missing=%d",
            len(existing & ours),
            len(ours - existing),
        )
        command.upgrade(alembic_config(connection, pre_alembic_tables=existing), BASELINE)
    command.upgrade(alembic_config(connection), "head")
    return before, _current(connection)
