"""Identity (身份认证): SMS verification and ID-card reads that yield a citizen token."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..deps import ClientDep, ConfigDep, DatabaseDep, IdempotencyKeyDep
from ..idempotency import StoredResponse, respond_idempotently
from ..schemas.errors import error_responses
from ..schemas.identity import (
    CardRead,
    CitizenSession,
    VerificationConfirm,
    VerificationCreate,
    VerificationCreated,
)
from ..services.identity import confirm_verification, read_card, start_verification

router = APIRouter(prefix="/identity", tags=["identity"])


@router.post(
    "/verifications",
    status_code=201,
    response_model=VerificationCreated,
    responses=error_responses(404, 422),
)
def post_verification(
    verification_in: VerificationCreate,
    client: ClientDep,
    database: DatabaseDep,
    config: ConfigDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Send a 6-digit SMS code to the citizen's registered phone (valid 5 minutes).

    Errors: ``citizen_not_found`` (404), ``invalid_id_number``,
    ``invalid_verification_request`` (422), ``sms_too_frequent`` (429, ``Retry-After``).
    """
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/identity/verifications",
        payload=verification_in.dict(),
        work=lambda session: StoredResponse(
            201,
            start_verification(session=session, config=config, request=verification_in).dict(),
        ),
    )


@router.post(
    "/verifications/{verification_id}/confirm",
    response_model=CitizenSession,
    response_model_exclude_none=True,
    responses=error_responses(404, 409, 410, 422, 423),
)
def post_confirm(
    verification_id: str,
    confirm_in: VerificationConfirm,
    client: ClientDep,
    database: DatabaseDep,
    config: ConfigDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Check the code; answers a citizen token valid 30 minutes.

    Errors: ``verification_not_found`` (404), ``verification_already_used`` (409),
    ``code_expired`` (410), ``code_invalid`` (422, with ``remaining_tries``),
    ``verification_locked`` (423, after 5 wrong codes).
    """
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation=f"POST /v1/identity/verifications/{verification_id}/confirm",
        payload=confirm_in.dict(),
        work=lambda session: confirm_verification(
            session=session,
            config=config,
            verification_id=verification_id,
            code=confirm_in.code,
        ),
    )


@router.post(
    "/card-reads",
    response_model=CitizenSession,
    response_model_exclude_none=True,
    responses=error_responses(404, 422),
)
def post_card_read(
    card_in: CardRead,
    client: ClientDep,
    database: DatabaseDep,
    config: ConfigDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Identify the citizen from the kiosk's ID-card reader; answers like ``confirm``.

    Errors: ``card_unreadable`` (422), ``citizen_not_found`` (404).
    """
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/identity/card-reads",
        payload=card_in.dict(),
        work=lambda session: StoredResponse(
            200,
            read_card(session=session, config=config, card=card_in).dict(exclude_none=True),
        ),
    )
