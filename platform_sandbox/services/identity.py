"""Identity verification: send an SMS code, confirm it, read an ID card; hand out tokens.

A code lives ``sms_code_ttl_s`` (5 minutes); five wrong codes lock the verification; a new
code for the same phone needs ``sms_resend_interval_s`` (60 s) since the last. Failed
confirmations are *returned* as error responses rather than raised, so that the counted
attempt is committed with them.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhtext.idcard import is_valid_id_number, normalize_id_number

from ..clock import beijing_iso, utc_now
from ..config import SandboxConfig
from ..errors import (
    CARD_UNREADABLE,
    CITIZEN_NOT_FOUND,
    CODE_EXPIRED,
    CODE_INVALID,
    INVALID_ID_NUMBER,
    INVALID_VERIFICATION_REQUEST,
    SMS_TOO_FREQUENT,
    VERIFICATION_LOCKED,
    VERIFICATION_NOT_FOUND,
    VERIFICATION_USED,
    ApiError,
)
from ..idempotency import StoredResponse
from ..masking import mask_phone
from ..schemas.identity import CardRead, CitizenSession, VerificationCreate, VerificationCreated
from ..tables import Citizen, Verification
from ..tokens import issue_token
from .citizens import citizen_out

logger = logging.getLogger(__name__)

MAX_WRONG_CODES = 5
"""Wrong codes that lock a verification."""


def start_verification(
    *, session: Session, config: SandboxConfig, request: VerificationCreate
) -> VerificationCreated:
    """Find the citizen and "send" a 6-digit code to their registered phone."""
    citizen = _find_citizen(session, request)
    now = utc_now()
    last_sent = session.execute(
        select(Verification.created_at)
        .where(Verification.phone == citizen.phone)
        .order_by(Verification.created_at.desc())
        .limit(1)
    ).scalar()
    if last_sent is not None:
        wait_s = config.sms_resend_interval_s - (now - last_sent).total_seconds()
        if wait_s > 0:
            raise ApiError(SMS_TOO_FREQUENT, headers={"Retry-After": str(int(wait_s) + 1)})
    verification = Verification(
        verification_id="ver_" + secrets.token_hex(12),
        citizen_id=citizen.citizen_id,
        phone=citizen.phone,
        code=f"{secrets.randbelow(10**6):06d}",
        created_at=now,
        expires_at=now + timedelta(seconds=config.sms_code_ttl_s),
        failed_attempts=0,
        status="pending",
        purpose=request.purpose,
    )
    session.add(verification)
    session.flush()
    logger.info("sandbox.sms.sent", extra={"verification_id": verification.verification_id})
    return VerificationCreated(
        verification_id=verification.verification_id,
        channel="sms",
        masked_phone=mask_phone(citizen.phone),
        expires_at=beijing_iso(verification.expires_at),
    )


SMS_TEXT = "【政务服务】您的验证码是{code}，5分钟内有效。工作人员不会向您索要验证码，请勿告诉他人。"
BINDING_SMS_TEXT = (
    "【政务服务】您的家人正在申请在微信上代您办理缴费、申请等事项，验证码{code}，5分钟内有效。"
    "您同意才把验证码告诉他；不认识的人要验证码，请勿告诉任何人。"
)
"""A code for a proxy binding is the one code a citizen gives to someone else: the SMS says
for what, and to give it only when they agree."""


def sms_text(code: str, purpose: str | None) -> str:
    """The SMS a verification sends, as the citizen's phone shows it."""
    template = BINDING_SMS_TEXT if purpose == "proxy_binding" else SMS_TEXT
    return template.format(code=code)


def confirm_verification(
    *, session: Session, config: SandboxConfig, verification_id: str, code: str
) -> StoredResponse:
    """Check ``code``: a citizen session (200), or the error as a response to commit."""
    verification = session.execute(
        select(Verification)
        .where(Verification.verification_id == verification_id)
        .with_for_update()
    ).scalar_one_or_none()
    if verification is None:
        return _error(ApiError(VERIFICATION_NOT_FOUND))
    if verification.status == "locked":
        return _error(ApiError(VERIFICATION_LOCKED))
    if verification.status == "confirmed":
        return _error(ApiError(VERIFICATION_USED))
    if verification.expires_at <= utc_now():
        return _error(ApiError(CODE_EXPIRED))
    if not secrets.compare_digest(verification.code, code):
        verification.failed_attempts += 1
        remaining = MAX_WRONG_CODES - verification.failed_attempts
        if remaining <= 0:
            verification.status = "locked"
            logger.info("sandbox.verification.locked", extra={"verification_id": verification_id})
            return _error(ApiError(VERIFICATION_LOCKED))
        return _error(
            ApiError(
                CODE_INVALID,
                f"验证码不正确，还可以再试{remaining}次。",
                remaining_tries=remaining,
            )
        )
    verification.status = "confirmed"
    citizen = session.get(Citizen, verification.citizen_id)
    created = _session_for(session, config, citizen, source="sms")
    return StoredResponse(200, created.dict(exclude_none=True))


def read_card(*, session: Session, config: SandboxConfig, card: CardRead) -> CitizenSession:
    """Identify the citizen whose ID card the kiosk reader read."""
    id_number = normalize_id_number(card.card_payload.id_number)
    if not is_valid_id_number(id_number):
        raise ApiError(CARD_UNREADABLE)
    citizen = session.execute(
        select(Citizen).where(Citizen.id_number == id_number)
    ).scalar_one_or_none()
    if citizen is None or citizen.name != card.card_payload.name:
        raise ApiError(CITIZEN_NOT_FOUND)
    return _session_for(session, config, citizen, source="card")


def _find_citizen(session: Session, request: VerificationCreate) -> Citizen:
    if request.name and request.id_number and not (request.phone or request.id_last6):
        id_number = normalize_id_number(request.id_number)
        if not is_valid_id_number(id_number):
            raise ApiError(INVALID_ID_NUMBER)
        citizen = session.execute(
            select(Citizen).where(Citizen.id_number == id_number)
        ).scalar_one_or_none()
        if citizen is None or citizen.name != request.name:
            raise ApiError(CITIZEN_NOT_FOUND)
        return citizen
    if request.phone and request.id_last6 and not (request.name or request.id_number):
        citizen = session.execute(
            select(Citizen).where(Citizen.phone == request.phone)
        ).scalar_one_or_none()
        if citizen is None or citizen.id_number[-6:] != request.id_last6.upper():
            raise ApiError(CITIZEN_NOT_FOUND)
        return citizen
    raise ApiError(INVALID_VERIFICATION_REQUEST)


def _session_for(
    session: Session, config: SandboxConfig, citizen: Citizen, *, source: str
) -> CitizenSession:
    token, expires_at = issue_token(
        session=session,
        citizen_id=citizen.citizen_id,
        source=source,
        ttl_s=config.citizen_token_ttl_s,
    )
    logger.info("sandbox.citizen.identified", extra={"source": source})
    return CitizenSession(
        citizen_token=token, expires_at=expires_at, citizen=citizen_out(citizen, full=True)
    )


def _error(error: ApiError) -> StoredResponse:
    return StoredResponse(error.status, error.body())
