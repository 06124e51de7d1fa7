"""FastAPI dependencies, declared once with ``Annotated``.

Dependencies that only read ``request.app.state`` are ``async def``: FastAPI runs them on the
event loop instead of sending each to the thread pool (a hop costs a fraction of a
millisecond, and a request has several).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from .auth import Client, require_client
from .config import SandboxConfig
from .db import Database
from .idempotency import IDEMPOTENCY_HEADER


async def get_config(request: Request) -> SandboxConfig:
    """The configuration the app was created with."""
    config: SandboxConfig = request.app.state.config
    return config


async def get_database(request: Request) -> Database:
    """The database opened by the app's lifespan."""
    database: Database = request.app.state.database
    return database


def read_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A read-only session for the duration of one request."""
    with database.reading() as session:
        yield session


ConfigDep = Annotated[SandboxConfig, Depends(get_config)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ReadSessionDep = Annotated[Session, Depends(read_session)]
ClientDep = Annotated[Client, Depends(require_client)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=255,
        description="Repeating a key with the same body returns the first result.",
    ),
]
"""The optional ``Idempotency-Key`` header of a write."""
