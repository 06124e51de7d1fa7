"""Pension: certification state and certifying, monthly payments."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today, utc_now
from ..errors import CERTIFICATION_ALREADY_DONE, NOT_A_PENSIONER, ApiError
from ..identity import Caller
from ..masking import mask_account
from ..money import fen_to_yuan
from ..schemas.benefits import (
    CERTIFICATION_METHODS,
    CertificationOut,
    CertificationRecordOut,
    PensionPaymentOut,
)
from ..synthetic.calendar import add_years
from ..tables import PensionCertification, PensionCertificationRecord, PensionPayment
from .citizens import get_citizen

logger = logging.getLogger(__name__)

DONE_AT_ONCE = ("kiosk_face", "video")
"""Methods that certify at once; the others schedule a visit."""


def certification(*, session: Session, caller: Caller) -> CertificationOut:
    """The caller's certification state; ``not_a_pensioner`` (404) without a pension."""
    row = _certification(session, caller.citizen_id)
    return CertificationOut(
        status=row.status,
        due_date=row.due_date,
        last_done_at=row.last_done_at,
        methods=list(CERTIFICATION_METHODS),  # type: ignore[arg-type]
    )


def certify(*, session: Session, caller: Caller, method: str) -> CertificationRecordOut:
    """Certify now (face, video) or schedule a visit (home, agency point).

    ``certification_already_done`` (409) when this year's check is done.
    """
    row = session.execute(
        select(PensionCertification)
        .where(PensionCertification.citizen_id == caller.citizen_id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise ApiError(NOT_A_PENSIONER)
    if row.status == "done":
        raise ApiError(CERTIFICATION_ALREADY_DONE)
    done_now = method in DONE_AT_ONCE
    if done_now:
        day = today()
        row.status = "done"
        row.last_done_at = day
        row.due_date = add_years(day, 1)
    record = PensionCertificationRecord(
        record_id="pc_" + secrets.token_hex(8),
        citizen_id=caller.citizen_id,
        method=method,
        status="done" if done_now else "scheduled",
        next_due_date=row.due_date,
        created_at=utc_now(),
    )
    session.add(record)
    session.flush()
    logger.info("sandbox.pension.certified", extra={"method": method, "status": record.status})
    return CertificationRecordOut(
        record_id=record.record_id, status=record.status, next_due_date=record.next_due_date
    )


def payments(*, session: Session, caller: Caller, months: int) -> list[PensionPaymentOut]:
    """The last ``months`` monthly payments, newest first."""
    _certification(session, caller.citizen_id)
    citizen = get_citizen(session, caller.citizen_id)
    rows = session.execute(
        select(PensionPayment)
        .where(PensionPayment.citizen_id == caller.citizen_id)
        .order_by(PensionPayment.month.desc())
        .limit(months)
    ).scalars()
    return [
        PensionPaymentOut(
            month=row.month,
            amount=fen_to_yuan(row.amount_fen),
            paid_on=row.paid_on,
            bank_masked=mask_account(citizen.bank_account),
            bank_full=citizen.bank_account if caller.is_citizen_themself else None,
        )
        for row in rows
    ]


def _certification(session: Session, citizen_id: str) -> PensionCertification:
    row = session.get(PensionCertification, citizen_id)
    if row is None:
        raise ApiError(NOT_A_PENSIONER)
    return row
