"""Unified payment (统一支付): create and read payments."""

from __future__ import annotations

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from ..deps import ClientDep, DatabaseDep, ReadSessionDep
from ..idempotency import IDEMPOTENCY_HEADER, StoredResponse, request_fingerprint, run_idempotent
from ..schemas.errors import error_responses
from ..schemas.payments import PaymentCreate, PaymentCreated, PaymentOut
from ..services.payments import create_payment, get_payment

router = APIRouter(prefix="/payments", tags=["payments"])


@router.post(
    "",
    status_code=201,
    response_model=PaymentCreated,
    responses=error_responses(401, 404, 409, 422),
)
def post_payment(
    payment_in: PaymentCreate,
    client: ClientDep,
    database: DatabaseDep,
    idempotency_key: str | None = Header(
        None,
        alias=IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=255,
        description="Repeating a key with the same body returns the first result.",
    ),
) -> JSONResponse:
    """Start paying a bill; answers ``pay_code`` for the payer's payment app.

    Errors: ``bill_not_found`` (404), ``bill_already_paid`` (409, also while another
    payment of the bill is pending), ``idempotency_key_reused`` (422).
    """
    payload = payment_in.dict()
    response = run_idempotent(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        fingerprint=request_fingerprint("POST /v1/payments", payload),
        work=lambda session: StoredResponse(
            201, create_payment(session=session, payment_in=payment_in).dict()
        ),
    )
    headers = {"Idempotent-Replayed": "true"} if response.replayed else None
    return JSONResponse(status_code=response.status_code, content=response.body, headers=headers)


@router.get(
    "/{payment_id}",
    response_model=PaymentOut,
    response_model_exclude_none=True,
    responses=error_responses(401, 404),
)
def read_payment(payment_id: str, session: ReadSessionDep) -> PaymentOut:
    """State of a payment: ``pending``, ``paid`` (with ``paid_at``, ``receipt_no``), …"""
    return get_payment(session=session, payment_id=payment_id)
