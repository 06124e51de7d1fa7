"""Applications (申请): elderly allowance, senior card, social assistance, hukou transfer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from .. import catalog
from ..deps import ClientDep, DatabaseDep, IdempotencyKeyDep, ReadSessionDep
from ..errors import SERVICE_NOT_APPLICABLE, SERVICE_NOT_FOUND, ApiError
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import Caller, CredentialsDep, citizen_for, resolve_caller
from ..responses import json_response
from ..schemas.applications import (
    ApplicationCreate,
    ApplicationCreated,
    ApplicationOut,
    ApplicationSummary,
)
from ..schemas.errors import error_responses
from ..services import applications

router = APIRouter(prefix="/applications", tags=["applications"])

StatusCaller = Annotated[Caller, Depends(citizen_for("application_status"))]


@router.post(
    "",
    status_code=201,
    response_model=ApplicationCreated,
    responses=error_responses(403, 404, 409, 422),
)
def post_application(
    application_in: ApplicationCreate,
    request: Request,
    given: CredentialsDep,
    client: ClientDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Apply for a service (citizen token or proxy authorization with that scope).

    Errors: ``service_not_found`` (404), ``service_not_applicable``, ``invalid_form``,
    ``commitment_not_accepted``, ``not_eligible`` (with ``reason``), ``materials_required``
    (with ``missing``) (422), ``duplicate_application`` (409).
    """
    service = catalog.service(application_in.service_code)
    if service is None:
        raise ApiError(SERVICE_NOT_FOUND)
    if not service.applicable:
        raise ApiError(SERVICE_NOT_APPLICABLE)
    caller = resolve_caller(
        database=database,
        client=client,
        given=given,
        service_code=service.code,
        method=request.method,
        path=request.url.path,
    )
    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/applications",
        payload={**application_in.dict(), **caller.fingerprint_part()},
        work=lambda session: StoredResponse(
            201,
            applications.submit(
                session=session, caller=caller, service=service, request=application_in
            ).dict(),
        ),
    )


@router.get("", response_model=list[ApplicationSummary], responses=error_responses(403))
def get_applications(session: ReadSessionDep, caller: StatusCaller) -> Response:
    """The citizen's applications, newest first."""
    return json_response(applications.list_for(session=session, caller=caller))


@router.get(
    "/{application_number}", response_model=ApplicationOut, responses=error_responses(403, 404)
)
def get_application(
    application_number: str,
    request: Request,
    session: ReadSessionDep,
    given: CredentialsDep,
    client: ClientDep,
) -> Response:
    """Status and timeline of an application; the number alone is enough (办件查询).

    With a citizen token or proxy, only that citizen's applications are found.
    """
    caller = None
    if given.present:
        caller = resolve_caller(
            database=request.app.state.database,
            client=client,
            given=given,
            service_code="application_status",
            method=request.method,
            path=request.url.path,
        )
    return json_response(
        applications.get(session=session, number=application_number, caller=caller)
    )
