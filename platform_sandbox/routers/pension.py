"""Pension (养老金): eligibility certification and payment history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from ..deps import ClientDep, DatabaseDep, IdempotencyKeyDep, ReadSessionDep
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import Caller, citizen_for
from ..responses import json_response
from ..schemas.benefits import (
    CertificationCreate,
    CertificationOut,
    CertificationRecordOut,
    PensionPaymentOut,
)
from ..schemas.errors import error_responses
from ..services import pension

router = APIRouter(prefix="/pension", tags=["pension"])

CertificationCaller = Annotated[Caller, Depends(citizen_for("pension_certification"))]
QueryCaller = Annotated[Caller, Depends(citizen_for("pension_query"))]


@router.get("/certification", response_model=CertificationOut, responses=error_responses(403, 404))
def get_certification(session: ReadSessionDep, caller: CertificationCaller) -> Response:
    """``due`` | ``done`` | ``overdue``, the due date and the ways to certify."""
    return json_response(pension.certification(session=session, caller=caller))


@router.post(
    "/certification",
    status_code=201,
    response_model=CertificationRecordOut,
    responses=error_responses(403, 404, 409, 422),
)
def post_certification(
    certification_in: CertificationCreate,
    caller: CertificationCaller,
    client: ClientDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Certify now (``kiosk_face``, ``video``) or schedule ``home_visit`` / ``agency_point``.

    Errors: ``not_a_pensioner`` (404), ``certification_already_done`` (409).
    """
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/pension/certification",
        payload={**certification_in.dict(), **caller.fingerprint_part()},
        work=lambda session: StoredResponse(
            201,
            pension.certify(session=session, caller=caller, method=certification_in.method).dict(),
        ),
    )


@router.get(
    "/payments",
    response_model=list[PensionPaymentOut],
    response_model_exclude_none=True,
    responses=error_responses(403, 404, 422),
)
def get_payments(
    session: ReadSessionDep,
    caller: QueryCaller,
    months: int = Query(6, ge=1, le=24, description="How many months back (1–24)."),
) -> Response:
    """The pension paid in the last ``months`` months, newest first."""
    return json_response(pension.payments(session=session, caller=caller, months=months))
