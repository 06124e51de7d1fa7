"""Tables of appointments: agency points, their time slots and the booked appointments."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from .base import Base


class AgencyPoint(Base):
    """A government-service hall or a community agency point (代办点)."""

    __tablename__ = "agency_points"

    point_id = Column(String(10), primary_key=True)
    name = Column(String(60), nullable=False)
    address = Column(String(120), nullable=False)
    district = Column(String(20), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # hall | community_point
    opening_hours = Column(String(60), nullable=False)
    services = Column(Text, nullable=False)
    """Service codes that can be booked here, comma-separated."""


class AppointmentSlot(Base):
    """A time slot of a point; ``booked`` counts every booking, ours and other channels'."""

    __tablename__ = "appointment_slots"

    slot_id = Column(String(24), primary_key=True)
    point_id = Column(String(10), ForeignKey("agency_points.point_id"), nullable=False, index=True)
    start = Column(DateTime, nullable=False)
    end = Column(DateTime, nullable=False)
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False)


class Appointment(Base):
    """A booked appointment at a point, or a home visit by its staff."""

    __tablename__ = "appointments"

    appointment_id = Column(String(32), primary_key=True)
    slot_id = Column(String(24), ForeignKey("appointment_slots.slot_id"), nullable=False)
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    service_code = Column(String(32), nullable=False)
    home_visit = Column(Boolean, nullable=False)
    address = Column(String(120), nullable=True)
    confirmation_code = Column(String(8), nullable=False)
    status = Column(String(10), nullable=False)  # booked | cancelled
    proxy_authorization_id = Column(String(32), nullable=True)
    created_at = Column(DateTime, nullable=False)
    cancelled_at = Column(DateTime, nullable=True)
