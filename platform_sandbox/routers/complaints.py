"""Complaints and suggestions (投诉建议, 12345): open a work order."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import today, utc_now
from ..deps import ClientDep, DatabaseDep, IdempotencyKeyDep
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import CredentialsDep, resolve_caller
from ..schemas.complaints import ComplaintCreate, ComplaintCreated
from ..schemas.errors import error_responses
from ..tables import Complaint

router = APIRouter(prefix="/complaints", tags=["complaints"])


@router.post(
    "",
    status_code=201,
    response_model=ComplaintCreated,
    responses=error_responses(403, 422),
)
def post_complaint(
    complaint_in: ComplaintCreate,
    request: Request,
    given: CredentialsDep,
    client: ClientDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Open a 12345 work order; anonymous, or for the citizen of a token or proxy.

    Errors: ``invalid_category``, ``invalid_content``, ``invalid_phone`` (422).
    """
    caller = None
    if given.present:
        caller = resolve_caller(
            database=database,
            client=client,
            given=given,
            service_code="complaint",
            method=request.method,
            path=request.url.path,
        )

    def work(session: Session) -> StoredResponse:
        now = utc_now()
        for _ in range(5):
            ticket = f"GD{today():%Y%m%d}{secrets.randbelow(10**6):06d}"
            try:
                with session.begin_nested():
                    session.add(
                        Complaint(
                            ticket_number=ticket,
                            category=complaint_in.category,
                            content=complaint_in.content,
                            location=complaint_in.location,
                            contact_phone=complaint_in.contact_phone,
                            citizen_id=caller.citizen_id if caller else None,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                continue
            return StoredResponse(201, ComplaintCreated(ticket_number=ticket).dict())
        raise RuntimeError("could not draw a free ticket number")

    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/complaints",
        payload={
            **complaint_in.dict(),
            **(caller.fingerprint_part() if caller else {"citizen_id": None}),
        },
        work=work,
    )
