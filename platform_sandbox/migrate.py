"""Bring a sandbox database to the newest schema: ``alembic upgrade head`` at start.

The app calls :func:`upgrade_to_head` from its lifespan (instead of ``create_all``). On
PostgreSQL an advisory lock serialises processes that start together. A database written
by milestone 1 of the sandbox (created with ``create_all``, so without ``alembic_version``)
holds only synthetic data: its five tables are dropped and the schema is built anew.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

PRE_MIGRATION_TABLES = ("idempotency_records", "payments", "bill_items", "bills", "students")
"""Tables of a milestone-1 database (no ``alembic_version``), dropped in this order."""

_PG_LOCK_KEY = 0x62616E736869  # "banshi": any constant shared by all sandbox processes


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration for our migrations, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration to the database of ``engine``."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        _drop_pre_migration_tables(connection)
        command.upgrade(alembic_config(connection), "head")
    logger.info("sandbox.db.migrated", extra={"backend": engine.dialect.name})


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _drop_pre_migration_tables(connection: Connection) -> None:
    existing = set(inspect(connection).get_table_names())
    if "alembic_version" in existing or not existing & set(PRE_MIGRATION_TABLES):
        return
    logger.warning("sandbox.db.rebuilt_pre_migration_database")
    for table in PRE_MIGRATION_TABLES:
        if table in existing:
            connection.execute(text(f'DROP TABLE "{table}"'))
