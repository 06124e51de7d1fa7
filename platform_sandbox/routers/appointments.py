"""Appointments (预约): slots of a point, booking, cancelling, the citizen's list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from .. import catalog
from ..deps import ClientDep, DatabaseDep, IdempotencyKeyDep, ReadSessionDep
from ..errors import INVALID_DATE, SERVICE_NOT_FOUND, ApiError
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import Caller, citizen_for
from ..responses import json_response
from ..schemas.appointments import (
    AppointmentCancelled,
    AppointmentCreate,
    AppointmentCreated,
    AppointmentOut,
    SlotOut,
)
from ..schemas.errors import error_responses
from ..services import appointments

router = APIRouter(prefix="/appointments", tags=["appointments"])

AppointmentCaller = Annotated[Caller, Depends(citizen_for("appointment"))]

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _service(code: str) -> catalog.Service:
    service = catalog.service(code)
    if service is None:
        raise ApiError(SERVICE_NOT_FOUND)
    return service


@router.get("/slots", response_model=list[SlotOut], responses=error_responses(404, 422))
def get_slots(
    session: ReadSessionDep,
    service_code: str = Query(..., max_length=40),
    point_id: str = Query(..., max_length=20),
    date_: str | None = Query(None, alias="date", description="Beijing date, YYYY-MM-DD."),
) -> Response:
    """Slots of ``point_id`` that handle ``service_code`` (one day, or all), with places left.

    Errors: ``service_not_found``, ``point_not_found`` (404), ``service_not_offered``,
    ``invalid_date`` (422).
    """
    day = None
    if date_:
        try:
            day = date.fromisoformat(date_)
        except ValueError:
            raise ApiError(INVALID_DATE) from None
        if len(date_) != 10:
            raise ApiError(INVALID_DATE)
    return json_response(
        appointments.slots(
            session=session, service=_service(service_code), point_id=point_id, day=day
        )
    )


@router.post(
    "",
    status_code=201,
    response_model=AppointmentCreated,
    responses=error_responses(403, 404, 409, 422),
)
def post_appointment(
    appointment_in: AppointmentCreate,
    caller: AppointmentCaller,
    client: ClientDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Book a slot (at the point, or ``home_visit`` to ``address``).

    Errors: ``slot_not_found``, ``service_not_found`` (404), ``slot_full``,
    ``duplicate_appointment`` (409), ``service_not_offered``, ``home_visit_not_available``,
    ``address_required`` (422).
    """
    service = _service(appointment_in.service_code)
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/appointments",
        payload={**appointment_in.dict(), **caller.fingerprint_part()},
        work=lambda session: StoredResponse(
            201,
            appointments.book(
                session=session, caller=caller, service=service, request=appointment_in
            ).dict(),
        ),
    )


@router.get("", response_model=list[AppointmentOut], responses=error_responses(403))
def get_appointments(session: ReadSessionDep, caller: AppointmentCaller) -> Response:
    """The citizen's appointments (booked and cancelled), soonest first."""
    return json_response(appointments.list_for(session=session, caller=caller))


@router.delete(
    "/{appointment_id}",
    response_model=AppointmentCancelled,
    responses=error_responses(403, 404),
)
def delete_appointment(
    appointment_id: str, caller: AppointmentCaller, database: DatabaseDep
) -> Response:
    """Cancel an appointment and free its place (again: same answer)."""
    with database.writing() as session:
        cancelled = appointments.cancel(
            session=session, caller=caller, appointment_id=appointment_id
        )
    return json_response(cancelled)
