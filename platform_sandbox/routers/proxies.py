"""Proxy authorizations (代办授权): a citizen lets family or staff act for them.

Only the citizen themself (their own token, not a proxy) grants and lists by citizen. The
calling system that recorded an authorization lists it by its agent
(``GET /v1/agent-authorizations``), and the agent may give it up: ``DELETE`` with the
authorization itself as ``X-Proxy-Authorization`` (platform_client/CONTRACT.md). Revoking
never needs more than holding the power being revoked.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import catalog
from ..clock import beijing_iso, utc_now
from ..deps import ClientDep, DatabaseDep, IdempotencyKeyDep, ReadSessionDep
from ..errors import INVALID_SCOPES, PROXY_AUTHORIZATION_NOT_FOUND, ApiError
from ..idempotency import StoredResponse, respond_idempotently
from ..identity import CredentialsDep, citizen_from_token
from ..masking import mask_name
from ..responses import json_response
from ..schemas.errors import error_responses
from ..schemas.proxies import (
    AgentAuthorizationOut,
    ProxyAuthorizationCreate,
    ProxyAuthorizationCreated,
    ProxyAuthorizationOut,
    ProxyAuthorizationRevoked,
    ProxyCallOut,
)
from ..services.citizens import age_today
from ..tables import Citizen, ProxyAuthorization, ProxyCall

router = APIRouter(prefix="/proxy-authorizations", tags=["proxy authorizations"])
agents_router = APIRouter(prefix="/agent-authorizations", tags=["proxy authorizations"])


def _check_scopes(scopes: list[str]) -> list[str]:
    cleaned: list[str] = []
    for code in scopes:
        service = catalog.service(code.strip())
        if service is None:
            raise ApiError(INVALID_SCOPES, f"没有这个事项：{code}。")
        if not service.proxy_allowed:
            raise ApiError(INVALID_SCOPES, f"{service.name}须本人办理，不能授权代办。")
        if service.code not in cleaned:
            cleaned.append(service.code)
    return cleaned


@router.post(
    "",
    status_code=201,
    response_model=ProxyAuthorizationCreated,
    responses=error_responses(422),
)
def post_authorization(
    authorization_in: ProxyAuthorizationCreate,
    given: CredentialsDep,
    client: ClientDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Authorize ``agent_id`` (``family`` or ``staff``) for ``scopes`` for some days.

    Errors: ``citizen_token_required`` (401), ``invalid_agent``, ``invalid_scopes``,
    ``invalid_expires_in_days`` (422).
    """
    citizen_id = citizen_from_token(database, given.citizen_token)
    scopes = _check_scopes(authorization_in.scopes)

    def work(session: Session) -> StoredResponse:
        now = utc_now()
        authorization = ProxyAuthorization(
            authorization_id="pa_" + secrets.token_hex(12),
            citizen_id=citizen_id,
            agent_kind=authorization_in.agent_kind,
            agent_id=authorization_in.agent_id,
            scopes=",".join(scopes),
            created_at=now,
            expires_at=now + timedelta(days=authorization_in.expires_in_days),
            client_id=client.client_id,
        )
        session.add(authorization)
        session.flush()
        return StoredResponse(
            201,
            ProxyAuthorizationCreated(
                authorization_id=authorization.authorization_id,
                expires_at=beijing_iso(authorization.expires_at),
            ).dict(),
        )

    return respond_idempotently(
        database=database,
        client_id=client.client_id,
        key=idempotency_key,
        operation="POST /v1/proxy-authorizations",
        payload={**authorization_in.dict(), "citizen_id": citizen_id},
        work=work,
    )


@router.get(
    "",
    response_model=list[ProxyAuthorizationOut],
    response_model_exclude_none=True,
    responses=error_responses(),
)
def get_authorizations(
    given: CredentialsDep, database: DatabaseDep, session: ReadSessionDep
) -> Response:
    """The citizen's authorizations, each with the calls made with it."""
    citizen_id = citizen_from_token(database, given.citizen_token)
    authorizations = session.execute(
        select(ProxyAuthorization)
        .where(ProxyAuthorization.citizen_id == citizen_id)
        .order_by(ProxyAuthorization.created_at)
    ).scalars()
    out: list[ProxyAuthorizationOut] = []
    for row in authorizations:
        calls = session.execute(
            select(ProxyCall)
            .where(ProxyCall.authorization_id == row.authorization_id)
            .order_by(ProxyCall.id)
        ).scalars()
        out.append(
            ProxyAuthorizationOut(
                authorization_id=row.authorization_id,
                agent_kind=row.agent_kind,
                agent_id=row.agent_id,
                scopes=row.scope_list(),
                expires_at=beijing_iso(row.expires_at),
                revoked_at=beijing_iso(row.revoked_at) if row.revoked_at else None,
                calls=[
                    ProxyCallOut(
                        at=beijing_iso(call.at),
                        agent_kind=call.agent_kind,
                        agent_id=call.agent_id,
                        service_code=call.service_code,
                        method=call.method,
                        path=call.path,
                    )
                    for call in calls
                ],
            )
        )
    return json_response(out)


@router.delete(
    "/{authorization_id}",
    response_model=ProxyAuthorizationRevoked,
    responses=error_responses(404),
)
def delete_authorization(
    authorization_id: str, given: CredentialsDep, client: ClientDep, database: DatabaseDep
) -> Response:
    """Revoke an authorization at once (revoking again answers the first revocation): the
    citizen with their token, or the agent giving it up with the authorization itself as
    ``X-Proxy-Authorization``, through the system that recorded it.

    Errors: ``citizen_token_required`` (401), ``proxy_authorization_not_found`` (404).
    """
    agent_gives_up = given.citizen_token is None and given.proxy_authorization_id is not None
    citizen_id = None if agent_gives_up else citizen_from_token(database, given.citizen_token)
    with database.writing() as session:
        row = session.get(ProxyAuthorization, authorization_id)
        if agent_gives_up:
            mine = (
                row is not None
                and given.proxy_authorization_id == authorization_id
                and row.client_id == client.client_id
            )
        else:
            mine = row is not None and row.citizen_id == citizen_id
        if row is None or not mine:
            raise ApiError(PROXY_AUTHORIZATION_NOT_FOUND)
        if row.revoked_at is None:
            row.revoked_at = utc_now()
        revoked = ProxyAuthorizationRevoked(
            authorization_id=row.authorization_id, revoked_at=beijing_iso(row.revoked_at)
        )
    return json_response(revoked)


@agents_router.get(
    "",
    response_model=list[AgentAuthorizationOut],
    response_model_exclude_none=True,
    responses=error_responses(422),
)
def get_agent_authorizations(
    client: ClientDep,
    session: ReadSessionDep,
    agent_kind: Literal["family", "staff"] = Query(...),
    agent_id: str = Query(..., min_length=1, max_length=64),
) -> Response:
    """The authorizations an agent holds that this calling system recorded, newest first,
    revoked and expired ones included (each with its ``status``), with the citizen's masked
    name and age: who the agent may act for."""
    now = utc_now()
    rows = session.execute(
        select(ProxyAuthorization, Citizen)
        .join(Citizen, Citizen.citizen_id == ProxyAuthorization.citizen_id)
        .where(
            ProxyAuthorization.client_id == client.client_id,
            ProxyAuthorization.agent_kind == agent_kind,
            ProxyAuthorization.agent_id == agent_id,
        )
        .order_by(ProxyAuthorization.created_at.desc())
    ).all()
    out = [
        AgentAuthorizationOut(
            authorization_id=row.authorization_id,
            agent_kind=row.agent_kind,
            agent_id=row.agent_id,
            citizen_name_masked=mask_name(citizen.name),
            citizen_age=age_today(citizen.birth_date),
            scopes=row.scope_list(),
            expires_at=beijing_iso(row.expires_at),
            revoked_at=beijing_iso(row.revoked_at) if row.revoked_at else None,
            status=(
                "revoked" if row.revoked_at else ("expired" if row.expires_at <= now else "active")
            ),
        )
        for row, citizen in rows
    ]
    return json_response(out)
