"""``Idempotency-Key`` handling for writes: a repeated key returns the first result.

The first request with a key inserts an :class:`~platform_sandbox.tables.IdempotencyRecord`
in the same transaction that does the work and stores the response. The unique constraint
on (client, key) makes concurrent repeats wait for that transaction (SQLite: ``BEGIN
IMMEDIATE``; PostgreSQL: the unique index) and then find the stored response, so the work
is never done twice. Contract errors of the work (4xx) are stored and replayed as well;
an unexpected failure rolls everything back and leaves the key unused.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .clock import utc_now
from .db import Database
from .errors import IDEMPOTENCY_KEY_REUSED, ApiError
from .tables import IdempotencyRecord

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class StoredResponse:
    """A JSON response that can be stored and replayed."""

    status_code: int
    body: Any
    replayed: bool = False
    """True when this is the stored response of an earlier request with the same key."""


def request_fingerprint(operation: str, payload: dict[str, Any]) -> str:
    """SHA-256 of the operation (``"POST /v1/payments"``) and the parsed request body."""
    canonical = json.dumps([operation, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def run_idempotent(
    *,
    database: Database,
    client_id: str,
    key: str | None,
    fingerprint: str,
    work: Callable[[Session], StoredResponse],
) -> StoredResponse:
    """Run ``work`` in a write transaction at most once per (``client_id``, ``key``).

    Without a key, ``work`` simply runs. With a key seen before, the stored response is
    returned if the fingerprint matches, else :data:`IDEMPOTENCY_KEY_REUSED` is raised.
    """
    if key is None:
        with database.writing() as session:
            return _encoded(work(session))
    with database.writing() as session:
        record = IdempotencyRecord(
            client_id=client_id,
            key=key,
            fingerprint=fingerprint,
            status_code=0,
            body="",
            created_at=utc_now(),
        )
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            return _replay(session, client_id=client_id, key=key, fingerprint=fingerprint)
        try:
            with session.begin_nested():
                response = _encoded(work(session))
        except ApiError as error:
            response = StoredResponse(error.status, error.body())
        record.status_code = response.status_code
        record.body = json.dumps(response.body, ensure_ascii=False)
    return response


def _encoded(response: StoredResponse) -> StoredResponse:
    """The response with a JSON-ready body (dates as ISO strings, no ``None`` fields)."""
    return StoredResponse(response.status_code, _json_ready(response.body), response.replayed)


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _replay(session: Session, *, client_id: str, key: str, fingerprint: str) -> StoredResponse:
    stored = session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client_id, IdempotencyRecord.key == key
        )
    ).scalar_one()
    if stored.fingerprint != fingerprint:
        logger.info("sandbox.idempotency.key_reused", extra={"client_id": client_id})
        raise ApiError(IDEMPOTENCY_KEY_REUSED)
    logger.info("sandbox.idempotency.replayed", extra={"client_id": client_id})
    return StoredResponse(stored.status_code, json.loads(stored.body), replayed=True)


def respond_idempotently(
    *,
    database: Database,
    client_id: str,
    key: str | None,
    operation: str,
    payload: dict[str, Any],
    work: Callable[[Session], StoredResponse],
) -> JSONResponse:
    """Run ``work`` through :func:`run_idempotent` and answer its (possibly replayed) result.

    ``operation`` (``"POST /v1/payments"``) and ``payload`` (the parsed body plus whatever
    else decides the result, such as the citizen) make the fingerprint.
    """
    response = run_idempotent(
        database=database,
        client_id=client_id,
        key=key,
        fingerprint=request_fingerprint(operation, payload),
        work=work,
    )
    headers = {REPLAYED_HEADER: "true"} if response.replayed else None
    return JSONResponse(status_code=response.status_code, content=response.body, headers=headers)
