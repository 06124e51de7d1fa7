"""Bodies of appointments (预约)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, constr

from .base import RequestBody


class SlotOut(BaseModel):
    """A bookable hour at a point."""

    slot_id: str
    start: str = Field(..., description="ISO 8601, Beijing time.")
    end: str
    remaining: int


class AppointmentCreate(RequestBody):
    """Book a slot; with ``home_visit`` staff of the slot's point come to ``address``."""

    slot_id: constr(strip_whitespace=True, min_length=1, max_length=40)  # type: ignore[valid-type]
    service_code: constr(strip_whitespace=True, min_length=1, max_length=40)  # type: ignore[valid-type]
    home_visit: bool = False
    address: constr(strip_whitespace=True, min_length=4, max_length=120) | None = None  # type: ignore[valid-type]


class PointRef(BaseModel):
    """Where the appointment is (or whose staff visit)."""

    point_id: str
    name: str
    address: str


class AppointmentCreated(BaseModel):
    """A booked appointment."""

    appointment_id: str
    start: str = Field(..., description="ISO 8601, Beijing time.")
    point: PointRef
    confirmation_code: str
    service_code: str
    home_visit: bool


class AppointmentOut(BaseModel):
    """One of a citizen's appointments."""

    appointment_id: str
    start: str
    point: PointRef
    service_code: str
    home_visit: bool
    status: Literal["booked", "cancelled"]


class AppointmentCancelled(BaseModel):
    """A cancelled appointment (cancelling twice answers the same)."""

    appointment_id: str
    status: Literal["cancelled"]
