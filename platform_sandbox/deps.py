"""FastAPI dependencies, declared once with ``Annotated``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from .auth import Client, require_client
from .config import SandboxConfig
from .db import Database


def get_config(request: Request) -> SandboxConfig:
    """The configuration the app was created with."""
    config: SandboxConfig = request.app.state.config
    return config


def get_database(request: Request) -> Database:
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
