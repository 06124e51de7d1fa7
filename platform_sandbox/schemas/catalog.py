"""Bodies of the service catalog, of agency points and of the reference lists (districts,
schools)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


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


class DistrictOut(BaseModel):
    """A district of the city."""

    code: str = Field(..., example="320508", description="Administrative area code (6 digits).")
    name: str = Field(..., example="姑苏区")


class SchoolOut(BaseModel):
    """A school or kindergarten whose fees are paid through the platform."""

    school_id: str = Field(..., example="SC01")
    name: str = Field(..., example="姑苏区平江幼儿园")
    district: str
    kind: Literal["kindergarten", "primary", "junior", "senior"]
