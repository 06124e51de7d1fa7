"""Alembic environment: migrate the connection handed over by :mod:`platform_sandbox.migrate`.

``platform_sandbox.migrate.upgrade_to_head`` passes an open connection in
``config.attributes["connection"]``; from the command line (``alembic -c
platform_sandbox/alembic.ini upgrade head``) the URL comes from ``BANSHI_SANDBOX_DATABASE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from platform_sandbox.tables import Base


def run_migrations() -> None:
    """Run the pending migrations on the given (or a new) connection."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("BANSHI_SANDBOX_DATABASE_URL", "sqlite:///var/sandbox.db")
    engine = create_engine(url, future=True)
    with engine.begin() as own_connection:
        _run(own_connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
