"""Bodies of proxy authorizations (代办授权)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, conint, conlist, constr

from .base import RequestBody


class ProxyAuthorizationCreate(RequestBody):
    """Let a family member or staff act for the citizen in ``scopes`` (service codes)."""

    agent_kind: Literal["family", "staff"]
    agent_id: constr(strip_whitespace=True, min_length=1, max_length=64)  # type: ignore[valid-type]
    scopes: conlist(str, min_items=1, max_items=13)  # type: ignore[valid-type]
    expires_in_days: conint(ge=1, le=365)  # type: ignore[valid-type]


class ProxyAuthorizationCreated(BaseModel):
    """Send ``authorization_id`` as ``X-Proxy-Authorization`` to act for the citizen."""

    authorization_id: str
    expires_at: str = Field(..., description="ISO 8601, Beijing time.")


class ProxyCallOut(BaseModel):
    """A call an agent made with the authorization."""

    at: str
    agent_kind: str
    agent_id: str
    service_code: str
    method: str
    path: str


class ProxyAuthorizationOut(BaseModel):
    """An authorization the citizen granted, and what was done with it."""

    authorization_id: str
    agent_kind: Literal["family", "staff"]
    agent_id: str
    scopes: list[str]
    expires_at: str
    revoked_at: str | None = None
    calls: list[ProxyCallOut]


class ProxyAuthorizationRevoked(BaseModel):
    """A revoked authorization."""

    authorization_id: str
    revoked_at: str


class AgentAuthorizationOut(BaseModel):
    """An authorization an agent holds: for whom (masked), for what, until when."""

    authorization_id: str
    agent_kind: Literal["family", "staff"]
    agent_id: str
    citizen_name_masked: str = Field(..., example="王*英")
    citizen_age: int
    scopes: list[str]
    expires_at: str = Field(..., description="ISO 8601, Beijing time.")
    revoked_at: str | None = None
    status: Literal["active", "expired", "revoked"]
