"""E-certificates (电子证照): list them, and make one-time presentation codes."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import beijing_iso, utc_now
from ..deps import ClientDep, ConfigDep, DatabaseDep, IdempotencyKeyDep, ReadSessionDep
from ..errors import CERTIFICATE_EXPIRED, CERTIFICATE_NOT_FOUND, ApiError
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import Caller, citizen_for
from ..masking import mask_account
from ..responses import json_response
from ..schemas.certificates import CertificateOut, CertificateType, PresentationOut
from ..schemas.errors import error_responses
from ..tables import Certificate, CertificatePresentation

router = APIRouter(prefix="/certificates", tags=["e-certificates"])

CertificateCaller = Annotated[Caller, Depends(citizen_for("e_certificate"))]

PRESENTATION_DIGITS = 8


@router.get(
    "",
    response_model=list[CertificateOut],
    response_model_exclude_none=True,
    responses=error_responses(403),
)
def get_certificates(session: ReadSessionDep, caller: CertificateCaller) -> Response:
    """The citizen's e-certificates (``number_full`` only for the citizen themself)."""
    rows = session.execute(
        select(Certificate)
        .where(Certificate.citizen_id == caller.citizen_id)
        .order_by(Certificate.id)
    ).scalars()
    return json_response(
        [
            CertificateOut(
                type=row.type,
                name=row.name,
                status=row.status,
                number_masked=mask_account(row.number),
                number_full=row.number if caller.is_citizen_themself else None,
                expires_on=row.expires_on,
            )
            for row in rows
        ]
    )


@router.post(
    "/{certificate_type}/presentations",
    status_code=201,
    response_model=PresentationOut,
    responses=error_responses(403, 404, 409, 422),
)
def post_presentation(
    certificate_type: CertificateType,
    caller: CertificateCaller,
    client: ClientDep,
    database: DatabaseDep,
    config: ConfigDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """A one-time code (8 digits) a clerk or bank scans to see the certificate; 5 minutes.

    Errors: ``invalid_certificate_type`` (422), ``certificate_not_found`` (404),
    ``certificate_expired`` (409).
    """

    def work(session: Session) -> StoredResponse:
        row = session.execute(
            select(Certificate).where(
                Certificate.citizen_id == caller.citizen_id, Certificate.type == certificate_type
            )
        ).scalar_one_or_none()
        if row is None:
            raise ApiError(CERTIFICATE_NOT_FOUND)
        if row.status != "valid":
            raise ApiError(CERTIFICATE_EXPIRED)
        now = utc_now()
        presentation = CertificatePresentation(
            presentation_code=f"{secrets.randbelow(10**PRESENTATION_DIGITS):0{PRESENTATION_DIGITS}d}",
            citizen_id=caller.citizen_id,
            type=certificate_type,
            created_at=now,
            expires_at=now + timedelta(seconds=config.presentation_ttl_s),
        )
        session.add(presentation)
        session.flush()
        return StoredResponse(
            201,
            PresentationOut(
                presentation_code=presentation.presentation_code,
                expires_at=beijing_iso(presentation.expires_at),
            ).dict(),
        )

    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation=f"POST /v1/certificates/{certificate_type}/presentations",
        payload=caller.fingerprint_part(),
        work=work,
    )
