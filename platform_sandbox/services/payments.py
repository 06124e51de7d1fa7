"""Unified payment: creating, reading and (sandbox only) completing payments of bills.

A bill is taken once it has a payment that is ``pending`` or ``paid``; the partial unique
index ``uq_payments_active_bill`` enforces this in the database, the check before the
insert only gives the common case a clear answer.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import beijing_date, beijing_iso, utc_now
from ..errors import (
    BILL_ALREADY_PAID,
    BILL_NOT_FOUND,
    PAYMENT_NOT_FOUND,
    PAYMENT_NOT_PENDING,
    ApiError,
)
from ..ids import new_pay_code, new_payment_id, new_receipt_no
from ..models import ACTIVE_PAYMENT_STATUSES, Bill, Payment
from ..money import fen_to_yuan
from ..schemas.payments import PaymentCreate, PaymentCreated, PaymentOut

logger = logging.getLogger(__name__)

_INSERT_ATTEMPTS = 5
"""Tries to insert a payment when a random pay code collides with an existing one."""


def create_payment(*, session: Session, payment_in: PaymentCreate) -> PaymentCreated:
    """Start a payment of ``payment_in.bill_id``; the caller's transaction commits it.

    Raises ``bill_not_found`` (404) or ``bill_already_paid`` (409).
    """
    bill = session.get(Bill, payment_in.bill_id)
    if bill is None:
        raise ApiError(BILL_NOT_FOUND)
    if bill.status == "paid" or _bill_taken(session, bill.bill_id):
        raise ApiError(BILL_ALREADY_PAID)
    for _ in range(_INSERT_ATTEMPTS):
        payment = Payment(
            payment_id=new_payment_id(),
            bill_id=bill.bill_id,
            payer=payment_in.payer,
            notify_phone=payment_in.notify_phone,
            amount_fen=bill.total_fen,
            status="pending",
            pay_code=new_pay_code(),
            created_at=utc_now(),
        )
        try:
            with session.begin_nested():
                session.add(payment)
        except IntegrityError:
            if _bill_taken(session, bill.bill_id):
                raise ApiError(BILL_ALREADY_PAID) from None
            continue  # a pay code or payment id collided: draw new ones
        logger.info(
            "sandbox.payment.created",
            extra={"payment_id": payment.payment_id, "bill_id": bill.bill_id},
        )
        return PaymentCreated(
            payment_id=payment.payment_id,
            amount=fen_to_yuan(payment.amount_fen),
            status="pending",
            pay_code=payment.pay_code,
        )
    raise RuntimeError(f"could not insert a payment in {_INSERT_ATTEMPTS} attempts")


def get_payment(*, session: Session, payment_id: str) -> PaymentOut:
    """The state of a payment, or ``payment_not_found`` (404)."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise ApiError(PAYMENT_NOT_FOUND)
    return payment_out(payment)


def complete_payment(*, session: Session, payment_id: str) -> PaymentOut:
    """Mark a pending payment paid, its bill paid, and assign a receipt number.

    Completing a paid payment again returns it unchanged; an expired or failed one is
    ``payment_not_pending`` (409).
    """
    payment = session.execute(
        select(Payment).where(Payment.payment_id == payment_id).with_for_update()
    ).scalar_one_or_none()
    if payment is None:
        raise ApiError(PAYMENT_NOT_FOUND)
    if payment.status == "paid":
        return payment_out(payment)
    if payment.status != "pending":
        raise ApiError(PAYMENT_NOT_PENDING)
    paid_at = utc_now()
    payment.status = "paid"
    payment.paid_at = paid_at
    payment.receipt_no = new_receipt_no(beijing_date(paid_at))
    payment.bill.status = "paid"
    session.flush()
    logger.info("sandbox.payment.completed", extra={"payment_id": payment_id})
    return payment_out(payment)


def payment_out(payment: Payment) -> PaymentOut:
    """The response form of a payment."""
    return PaymentOut(
        payment_id=payment.payment_id,
        bill_id=payment.bill_id,
        amount=fen_to_yuan(payment.amount_fen),
        status=payment.status,
        paid_at=beijing_iso(payment.paid_at) if payment.paid_at else None,
        receipt_no=payment.receipt_no,
    )


def _bill_taken(session: Session, bill_id: str) -> bool:
    """Whether the bill has a pending or paid payment."""
    found = session.execute(
        select(Payment.payment_id)
        .where(Payment.bill_id == bill_id, Payment.status.in_(ACTIVE_PAYMENT_STATUSES))
        .limit(1)
    ).first()
    return found is not None
