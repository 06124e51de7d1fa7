"""Appointments: slots with what remains, booking against capacity, cancelling.

A booking takes a place with one conditional ``UPDATE … SET booked = booked + 1 WHERE
booked < capacity``: concurrent bookings of the last place give one success and
``slot_full`` for the rest, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..catalog import Service
from ..clock import beijing_iso, utc_now
from ..errors import (
    ADDRESS_REQUIRED,
    APPOINTMENT_NOT_FOUND,
    DUPLICATE_APPOINTMENT,
    HOME_VISIT_NOT_AVAILABLE,
    POINT_NOT_FOUND,
    SERVICE_NOT_OFFERED,
    SLOT_FULL,
    SLOT_NOT_FOUND,
    ApiError,
)
from ..identity import Caller
from ..schemas.appointments import (
    AppointmentCancelled,
    AppointmentCreate,
    AppointmentCreated,
    AppointmentOut,
    PointRef,
    SlotOut,
)
from ..tables import AgencyPoint, Appointment, AppointmentSlot, Citizen

logger = logging.getLogger(__name__)

_BEIJING = timedelta(hours=8)


def offered(point: AgencyPoint, service_code: str) -> bool:
    """Whether ``point`` handles ``service_code``."""
    return service_code in point.services.split(",")


def slots(*, session: Session, service: Service, point_id: str, day: date | None) -> list[SlotOut]:
    """The slots of a point for a service (of one Beijing day, or all), in time order."""
    point = session.get(AgencyPoint, point_id)
    if point is None:
        raise ApiError(POINT_NOT_FOUND)
    if not offered(point, service.code):
        raise ApiError(SERVICE_NOT_OFFERED)
    query = select(AppointmentSlot).where(AppointmentSlot.point_id == point_id)
    if day is not None:
        start = datetime(day.year, day.month, day.day) - _BEIJING
        query = query.where(
            AppointmentSlot.start >= start, AppointmentSlot.start < start + timedelta(days=1)
        )
    return [
        SlotOut(
            slot_id=slot.slot_id,
            start=beijing_iso(slot.start),
            end=beijing_iso(slot.end),
            remaining=max(0, slot.capacity - slot.booked),
        )
        for slot in session.execute(query.order_by(AppointmentSlot.start)).scalars()
    ]


def book(
    *, session: Session, caller: Caller, service: Service, request: AppointmentCreate
) -> AppointmentCreated:
    """Book a place in a slot; raises ``slot_not_found``, ``slot_full`` and the others."""
    slot = session.get(AppointmentSlot, request.slot_id)
    if slot is None:
        raise ApiError(SLOT_NOT_FOUND)
    point = session.get(AgencyPoint, slot.point_id)
    if not offered(point, service.code):
        raise ApiError(SERVICE_NOT_OFFERED)
    if request.home_visit and not service.home_visit:
        raise ApiError(HOME_VISIT_NOT_AVAILABLE)
    if request.home_visit and not request.address:
        raise ApiError(ADDRESS_REQUIRED)
    # Lock the citizen's row: their concurrent bookings queue, so the duplicate check holds.
    session.execute(
        select(Citizen.citizen_id).where(Citizen.citizen_id == caller.citizen_id).with_for_update()
    )
    duplicate = session.execute(
        select(Appointment.appointment_id).where(
            Appointment.slot_id == slot.slot_id,
            Appointment.citizen_id == caller.citizen_id,
            Appointment.status == "booked",
        )
    ).first()
    if duplicate is not None:
        raise ApiError(DUPLICATE_APPOINTMENT)
    taken = session.execute(
        update(AppointmentSlot)
        .where(
            AppointmentSlot.slot_id == slot.slot_id,
            AppointmentSlot.booked < AppointmentSlot.capacity,
        )
        .values(booked=AppointmentSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise ApiError(SLOT_FULL)
    appointment = Appointment(
        appointment_id="apt_" + secrets.token_hex(8),
        slot_id=slot.slot_id,
        citizen_id=caller.citizen_id,
        service_code=service.code,
        home_visit=request.home_visit,
        address=request.address if request.home_visit else None,
        confirmation_code=f"{secrets.randbelow(10**6):06d}",
        status="booked",
        proxy_authorization_id=caller.proxy.authorization_id if caller.proxy else None,
        created_at=utc_now(),
    )
    session.add(appointment)
    session.flush()
    logger.info("sandbox.appointment.booked", extra={"slot_id": slot.slot_id})
    return AppointmentCreated(
        appointment_id=appointment.appointment_id,
        start=beijing_iso(slot.start),
        point=_point_ref(point),
        confirmation_code=appointment.confirmation_code,
        service_code=service.code,
        home_visit=appointment.home_visit,
    )


def cancel(*, session: Session, caller: Caller, appointment_id: str) -> AppointmentCancelled:
    """Cancel the caller's appointment and free its place; cancelling again is a no-op."""
    appointment = session.execute(
        select(Appointment).where(Appointment.appointment_id == appointment_id).with_for_update()
    ).scalar_one_or_none()
    if appointment is None or appointment.citizen_id != caller.citizen_id:
        raise ApiError(APPOINTMENT_NOT_FOUND)
    if appointment.status == "booked":
        appointment.status = "cancelled"
        appointment.cancelled_at = utc_now()
        session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.slot_id == appointment.slot_id, AppointmentSlot.booked > 0)
            .values(booked=AppointmentSlot.booked - 1)
            .execution_options(synchronize_session=False)
        )
        logger.info("sandbox.appointment.cancelled", extra={"slot_id": appointment.slot_id})
    return AppointmentCancelled(appointment_id=appointment.appointment_id, status="cancelled")


def list_for(*, session: Session, caller: Caller) -> list[AppointmentOut]:
    """The caller's appointments, soonest first."""
    rows = session.execute(
        select(Appointment, AppointmentSlot, AgencyPoint)
        .join(AppointmentSlot, AppointmentSlot.slot_id == Appointment.slot_id)
        .join(AgencyPoint, AgencyPoint.point_id == AppointmentSlot.point_id)
        .where(Appointment.citizen_id == caller.citizen_id)
        .order_by(AppointmentSlot.start, Appointment.created_at)
    ).all()
    return [
        AppointmentOut(
            appointment_id=appointment.appointment_id,
            start=beijing_iso(slot.start),
            point=_point_ref(point),
            service_code=appointment.service_code,
            home_visit=appointment.home_visit,
            status=appointment.status,
        )
        for appointment, slot, point in rows
    ]


def _point_ref(point: AgencyPoint) -> PointRef:
    return PointRef(point_id=point.point_id, name=point.name, address=point.address)
