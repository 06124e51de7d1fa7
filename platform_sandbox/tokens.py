"""Citizen tokens: random bearer strings whose SHA-256 is stored with an expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from .clock import beijing_iso, utc_now
from .tables import CitizenToken

TOKEN_PREFIX = "ct_"


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, session: Session, citizen_id: str, source: str, ttl_s: int) -> tuple[str, str]:
    """Create a token for ``citizen_id`` valid ``ttl_s`` seconds: (token, ISO expiry)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    now = utc_now()
    expires_at = now + timedelta(seconds=ttl_s)
    session.add(
        CitizenToken(
            token_hash=hash_token(token),
            citizen_id=citizen_id,
            source=source,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token, beijing_iso(expires_at)
