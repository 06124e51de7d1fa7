"""Sandbox-only helpers (``/v1/sandbox``); the app mounts them only when enabled."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, confloat, conint
from sqlalchemy import select

from ..clock import beijing_iso, today
from ..deps import ConfigDep, DatabaseDep, ReadSessionDep
from ..errors import SMS_NOT_FOUND, ApiError
from ..faults import Faults
from ..ratelimit import RateLimiter
from ..schemas.base import RequestBody
from ..schemas.errors import error_responses
from ..schemas.payments import PHONE_PATTERN, PaymentOut
from ..seed import reset_to_seed
from ..services.identity import sms_text
from ..services.payments import complete_payment
from ..tables import Verification

router = APIRouter(prefix="/sandbox", tags=["sandbox"])


class ResetOut(BaseModel):
    """What a reset loaded."""

    seed: int
    today: date = Field(..., description="The day the data is laid out around (Beijing).")
    students: int
    bills: int
    citizens: int


class SmsOut(BaseModel):
    """The last code "sent" to a phone."""

    phone: str
    code: str
    verification_id: str
    sent_at: str
    expires_at: str
    text: str = Field(..., description="The SMS as the phone shows it.")


class FaultsIn(RequestBody):
    """Faults to inject into every other ``/v1`` route of this process."""

    latency_ms: conint(ge=0, le=30_000) = Field(0, description="Added delay, milliseconds.")  # type: ignore[valid-type]
    error_rate: confloat(ge=0, le=1) = Field(  # type: ignore[valid-type]
        0.0, description="Share of requests answered 503 service_unavailable."
    )


class FaultsOut(BaseModel):
    """Faults in force."""

    latency_ms: int
    error_rate: float


@router.post(
    "/payments/{payment_id}/complete",
    response_model=PaymentOut,
    response_model_exclude_none=True,
    responses=error_responses(401, 404, 409),
)
def post_complete_payment(payment_id: str, database: DatabaseDep, config: ConfigDep) -> PaymentOut:
    """Act as the payer's payment app: the payment and its bill become paid
    (``payment_not_pending`` once it expired)."""
    with database.writing() as session:
        return complete_payment(session=session, payment_id=payment_id, ttl_s=config.payment_ttl_s)


@router.post("/reset", response_model=ResetOut, responses=error_responses(401))
def post_reset(request: Request, database: DatabaseDep, config: ConfigDep) -> ResetOut:
    """Drop all data (payments, tokens, idempotency keys …) and reload the seed's dataset;
    also clears injected faults and rate-limit counters."""
    dataset = reset_to_seed(database=database, seed=config.seed, today=today())
    faults: Faults = request.app.state.faults
    limiter: RateLimiter = request.app.state.limiter
    faults.clear()
    limiter.clear()
    return ResetOut(
        seed=config.seed,
        today=dataset.today,
        students=len(dataset.students),
        bills=len(dataset.bills),
        citizens=len(dataset.citizens),
    )


@router.get("/sms", response_model=SmsOut, responses=error_responses(401, 404, 422))
def get_sms(
    session: ReadSessionDep,
    phone: str = Query(..., regex=PHONE_PATTERN, description="The citizen's mobile number."),
) -> SmsOut:
    """The last verification code sent to ``phone`` (what the citizen's phone shows)."""
    row = session.execute(
        select(Verification)
        .where(Verification.phone == phone)
        .order_by(Verification.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise ApiError(SMS_NOT_FOUND)
    return SmsOut(
        phone=row.phone,
        code=row.code,
        verification_id=row.verification_id,
        sent_at=beijing_iso(row.created_at),
        expires_at=beijing_iso(row.expires_at),
        text=sms_text(row.code, row.purpose),
    )


@router.post("/faults", response_model=FaultsOut, responses=error_responses(401, 422))
def post_faults(faults_in: FaultsIn, request: Request) -> FaultsOut:
    """Inject ``latency_ms`` and ``error_rate`` (``{}`` or zeros switch them off)."""
    faults: Faults = request.app.state.faults
    faults.set(latency_ms=faults_in.latency_ms, error_rate=faults_in.error_rate)
    return FaultsOut(latency_ms=faults.latency_ms, error_rate=faults.error_rate)


@router.get("/faults", response_model=FaultsOut, responses=error_responses(401))
def get_faults(request: Request) -> FaultsOut:
    """The faults in force."""
    faults: Faults = request.app.state.faults
    return FaultsOut(latency_ms=faults.latency_ms, error_rate=faults.error_rate)
