"""A throwaway PostgreSQL database per test session, on the local server.

Tests that need it skip with a reason when the server cannot be reached, except under
``CI=true``, where a missing server fails them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.needs import need

SERVER_URL = os.environ.get("BANSHI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
"""The server (trust auth) whose ``postgres`` database is used to create test databases."""


def _admin_engine() -> Any:
    return create_engine(
        f"{SERVER_URL}/postgres", future=True, isolation_level="AUTOCOMMIT", pool_pre_ping=True
    )


def throwaway_database(prefix: str = "banshi_sandbox_test") -> Iterator[str]:
    """Create ``<prefix>_<random>``, yield its URL, drop it afterwards."""
    engine = _admin_engine()
    failure = ""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any connection failure: no server here
        engine.dispose()
        failure = type(error).__name__
    need(
        not failure,
        f"PostgreSQL at {SERVER_URL} ({failure})",
        "start the server, or point BANSHI_TEST_POSTGRES_URL at one",
    )
    name = f"{prefix}_{secrets.token_hex(4)}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(f"{SERVER_URL}/{name}"))
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def pg_query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query (``:name`` parameters) on the database at ``url``."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()
