"""Who a call is for: the citizen of ``X-Citizen-Token``, or of ``X-Proxy-Authorization``.

Routes that act for a citizen depend on :func:`citizen_for` (the service code is fixed by the
route) or call :func:`resolve_caller` themselves (the service code comes from the body). A
call through a proxy authorization is checked against its scopes and recorded in
``proxy_calls`` with both identities: the citizen and the agent (plus the calling system).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import select

from . import catalog
from .auth import Client, require_client
from .clock import utc_now
from .db import Database
from .errors import (
    CITIZEN_TOKEN_EXPIRED,
    CITIZEN_TOKEN_INVALID,
    CITIZEN_TOKEN_REQUIRED,
    PROXY_AUTHORIZATION_INVALID,
    PROXY_NOT_ALLOWED,
    PROXY_SCOPE_DENIED,
    ApiError,
)
from .tables import CitizenToken, ProxyAuthorization, ProxyCall
from .tokens import hash_token

logger = logging.getLogger(__name__)

CITIZEN_TOKEN_HEADER = "X-Citizen-Token"
PROXY_HEADER = "X-Proxy-Authorization"


@dataclass(frozen=True)
class Credentials:
    """The identity headers of a request, not yet checked."""

    citizen_token: str | None
    proxy_authorization_id: str | None

    @property
    def present(self) -> bool:
        """Whether the request names a citizen at all."""
        return bool(self.citizen_token or self.proxy_authorization_id)


@dataclass(frozen=True)
class Proxy:
    """The agent acting through a proxy authorization."""

    authorization_id: str
    agent_kind: str
    agent_id: str


@dataclass(frozen=True)
class Caller:
    """The citizen a call acts for, and the agent when it goes through a proxy."""

    citizen_id: str
    proxy: Proxy | None

    @property
    def is_citizen_themself(self) -> bool:
        """True for the citizen's own token: only then are ``*_full`` fields shown."""
        return self.proxy is None

    def fingerprint_part(self) -> dict[str, str | None]:
        """What identifies the caller in an ``Idempotency-Key`` fingerprint."""
        return {
            "citizen_id": self.citizen_id,
            "proxy": self.proxy.authorization_id if self.proxy else None,
        }


async def credentials(
    citizen_token: Annotated[
        str | None,
        Header(
            alias=CITIZEN_TOKEN_HEADER,
            description="Citizen token from identity verification (valid 30 minutes).",
        ),
    ] = None,
    proxy_authorization: Annotated[
        str | None,
        Header(
            alias=PROXY_HEADER,
            description="Id of a proxy authorization: act for the citizen who granted it.",
        ),
    ] = None,
) -> Credentials:
    """FastAPI dependency: the identity headers as given."""
    return Credentials(
        citizen_token=citizen_token or None, proxy_authorization_id=proxy_authorization or None
    )


CredentialsDep = Annotated[Credentials, Depends(credentials)]


def resolve_caller(
    *,
    database: Database,
    client: Client,
    given: Credentials,
    service_code: str,
    method: str,
    path: str,
) -> Caller:
    """Check the identity headers for ``service_code``; record a proxy call.

    Raises ``citizen_token_required`` / ``_invalid`` / ``_expired`` (401),
    ``proxy_authorization_invalid``, ``proxy_scope_denied``, ``proxy_not_allowed`` (403).
    """
    token_citizen = _token_citizen(database, given.citizen_token) if given.citizen_token else None
    if given.proxy_authorization_id is None:
        if token_citizen is None:
            raise ApiError(CITIZEN_TOKEN_REQUIRED)
        return Caller(citizen_id=token_citizen, proxy=None)
    with database.writing() as session:
        authorization = session.get(ProxyAuthorization, given.proxy_authorization_id)
        now = utc_now()
        if (
            authorization is None
            or authorization.revoked_at is not None
            or authorization.expires_at <= now
            or (token_citizen is not None and token_citizen != authorization.citizen_id)
        ):
            raise ApiError(PROXY_AUTHORIZATION_INVALID)
        service = catalog.service(service_code)
        if service is not None and not service.proxy_allowed:
            raise ApiError(PROXY_NOT_ALLOWED)
        if service_code not in authorization.scope_list():
            raise ApiError(PROXY_SCOPE_DENIED)
        session.add(
            ProxyCall(
                authorization_id=authorization.authorization_id,
                citizen_id=authorization.citizen_id,
                agent_kind=authorization.agent_kind,
                agent_id=authorization.agent_id,
                client_id=client.client_id,
                service_code=service_code,
                method=method,
                path=path[:200],
                at=now,
            )
        )
        proxy = Proxy(
            authorization_id=authorization.authorization_id,
            agent_kind=authorization.agent_kind,
            agent_id=authorization.agent_id,
        )
        citizen_id = authorization.citizen_id
    logger.info(
        "sandbox.proxy.call",
        extra={"authorization_id": proxy.authorization_id, "service_code": service_code},
    )
    return Caller(citizen_id=citizen_id, proxy=proxy)


def citizen_from_token(database: Database, token: str | None) -> str:
    """The citizen of a token (no proxy allowed): for routes only the citizen may call."""
    if not token:
        raise ApiError(CITIZEN_TOKEN_REQUIRED)
    return _token_citizen(database, token)


def _token_citizen(database: Database, token: str) -> str:
    with database.reading() as session:
        row = session.execute(
            select(CitizenToken.citizen_id, CitizenToken.expires_at).where(
                CitizenToken.token_hash == hash_token(token)
            )
        ).first()
    if row is None:
        raise ApiError(CITIZEN_TOKEN_INVALID)
    if row.expires_at <= utc_now():
        raise ApiError(CITIZEN_TOKEN_EXPIRED)
    return str(row.citizen_id)


def citizen_for(service_code: str) -> Callable[..., Caller]:
    """A dependency that resolves the caller of a route serving ``service_code``."""

    def dependency(
        request: Request,
        given: CredentialsDep,
        client: Annotated[Client, Depends(require_client)],
    ) -> Caller:
        return resolve_caller(
            database=request.app.state.database,
            client=client,
            given=given,
            service_code=service_code,
            method=request.method,
            path=request.url.path,
        )

    return dependency
