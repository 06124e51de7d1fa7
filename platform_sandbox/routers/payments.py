"""Unified payment (统一支付): create and read payments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..deps import ClientDep, ConfigDep, DatabaseDep, IdempotencyKeyDep, ReadSessionDep
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import CredentialsDep, resolve_caller
from ..responses import json_response
from ..schemas.errors import error_responses
from ..schemas.payments import PaymentCreate, PaymentCreated, PaymentOut
from ..services.payments import bill_service, create_payment, get_payment

router = APIRouter(prefix="/payments", tags=["payments"])


@router.post(
    "",
    status_code=201,
    response_model=PaymentCreated,
    responses=error_responses(401, 403, 404, 409, 422),
)
def post_payment(
    payment_in: PaymentCreate,
    request: Request,
    given: CredentialsDep,
    client: ClientDep,
    database: DatabaseDep,
    config: ConfigDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Start paying an education (``EB…``) or utility (``UB…``) bill; answers ``pay_code``.

    A citizen token or proxy authorization is optional; when given, the payment is recorded
    for that citizen (a proxy needs the ``education_fee`` or ``utility_payment`` scope).
    Errors: ``bill_not_found`` (404), ``bill_already_paid`` (409; while another payment of
    the bill is pending, with that payment as ``pending_payment``: ``{payment_id, amount,
    status: "pending", pay_code, expires_at}``), ``idempotency_key_reused`` (422).
    """
    caller = None
    if given.present:
        caller = resolve_caller(
            database=database,
            client=client,
            given=given,
            service_code=bill_service(payment_in.bill_id),
            method=request.method,
            path=request.url.path,
        )
    payload = payment_in.dict()
    if caller is not None:
        payload.update(caller.fingerprint_part())
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/payments",
        payload=payload,
        work=lambda session: StoredResponse(
            201,
            create_payment(
                session=session, payment_in=payment_in, caller=caller, ttl_s=config.payment_ttl_s
            ).dict(),
        ),
    )


@router.get(
    "/{payment_id}",
    response_model=PaymentOut,
    response_model_exclude_none=True,
    responses=error_responses(401, 404),
)
def read_payment(payment_id: str, session: ReadSessionDep, config: ConfigDep) -> Response:
    """State of a payment: ``pending``, ``paid`` (with ``paid_at``, ``receipt_no``), or
    ``expired`` (not paid within 30 minutes)."""
    return json_response(
        get_payment(session=session, payment_id=payment_id, ttl_s=config.payment_ttl_s)
    )
