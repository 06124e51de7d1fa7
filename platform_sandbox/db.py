"""Engine and sessions of the sandbox database.

Nothing happens at import time: :func:`open_database` is called from the app's lifespan;
it runs the alembic migrations (:mod:`platform_sandbox.migrate`) up to head.

SQLite notes: the database runs in WAL mode (``synchronous = NORMAL``) with a busy timeout
and pooled connections, and SQLAlchemy (not the ``sqlite3`` driver) emits ``BEGIN``. Read
sessions begin ``DEFERRED``; write sessions begin
``IMMEDIATE`` so that concurrent writers queue on the busy timeout instead of failing with
"database is locked" when a read snapshot turns stale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from .migrate import upgrade_to_head

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite writer waits for the write lock, in milliseconds."""

_BEGIN_OPTION = "sandbox_sqlite_begin"


@dataclass(frozen=True)
class Database:
    """The engine of one sandbox process and its two session factories."""

    engine: Engine
    read_sessions: sessionmaker
    """Sessions for requests that only read."""
    write_sessions: sessionmaker
    """Sessions for requests that write (``BEGIN IMMEDIATE`` on SQLite)."""

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session, closed (and its transaction rolled back) on exit."""
        with self.read_sessions() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose transaction commits on normal exit and rolls back on an error."""
        with self.write_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Create the engine for ``url``, migrate the schema to head; return the database handle."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {"future": True}
    if is_sqlite:
        kwargs["connect_args"] = {"check_same_thread": False}
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy 1.4 defaults to NullPool for SQLite files: a new connection per
            # session, which re-reads the schema on its first statement (~5 ms). Pool them.
            kwargs.update(poolclass=QueuePool, pool_size=8, max_overflow=24)
    else:
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        _configure_sqlite(engine)
    upgrade_to_head(engine)
    logger.info("sandbox.db.opened", extra={"backend": parsed.get_backend_name()})
    return Database(
        engine=engine,
        read_sessions=sessionmaker(engine, future=True, expire_on_commit=False),
        write_sessions=sessionmaker(
            engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}),
            future=True,
            expire_on_commit=False,
        ),
    )


def _configure_sqlite(engine: Engine) -> None:
    """Busy timeout and foreign keys per connection, explicit BEGIN, WAL journal."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL: commits do not wait for fsync (durable except on power loss).
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    raw = engine.raw_connection()  # outside any transaction: WAL cannot be set inside one
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()
