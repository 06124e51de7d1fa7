"""Alembic environment of the gateway's database.

:func:`banshi.migrate.upgrade_to_head` hands over an open connection in
``config.attributes["connection"]``, in the transaction that holds the migration lock. From the
command line (``alembic -c banshi/alembic.ini …``) the database is the gateway's of the settings
(``BANSHI_PROFILE``, ``BANSHI_GATEWAY_DATABASE_URL``), reached the same way and under the same
lock.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from banshi.migrate import GATEWAY_METADATA, migration_connection


def run_migrations() -> None:
    """Run the pending migrations on the given (or a new) connection."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from banshi.settings import get_settings

    asyncio.run(_run_on(get_settings().effective_gateway_database_url))


async def _run_on(database_url: str) -> None:
    async with migration_connection(database_url) as connection:
        await connection.run_sync(_run)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=list(GATEWAY_METADATA),
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
