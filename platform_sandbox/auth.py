"""Authentication of calling systems by their bearer client key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .config import SandboxConfig
from .errors import UNAUTHORIZED, ApiError

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="Client key of the calling system: `Authorization: Bearer <client key>`.",
)


@dataclass(frozen=True)
class Client:
    """An authenticated calling system."""

    client_id: str
    """First 16 hex digits of the SHA-256 of its key (the key itself is never stored)."""


def client_for_key(key: str, config: SandboxConfig) -> Client | None:
    """The client owning ``key``, or None when the key is not accepted (constant-time compare)."""
    presented = key.encode("utf-8")
    matched = False
    for accepted in config.accepted_keys():
        matched |= secrets.compare_digest(presented, accepted.encode("utf-8"))
    if not matched:
        return None
    return Client(client_id=hashlib.sha256(presented).hexdigest()[:16])


async def require_client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Client:
    """FastAPI dependency: the calling system, or 401 ``unauthorized``."""
    config: SandboxConfig = request.app.state.config
    client = client_for_key(credentials.credentials, config) if credentials else None
    if client is None:
        raise ApiError(UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return client
