"""Bodies of the service catalog and of agency points."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ServiceOut(BaseModel):
    """A service (事项) of the catalog."""

    code: str
    name: str
    department: str
    requires_identity: bool
    accepts_commitment: bool
    materials: list[str]
    channels: list[str]
    proxy_allowed: bool


class AgencyPointOut(BaseModel):
    """A government-service hall or a community agency point."""

    point_id: str
    name: str
    address: str
    district: str
    kind: Literal["hall", "community_point"]
    opening_hours: str
    services: list[str]
