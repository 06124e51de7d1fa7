"""Unified payment: creating, reading and (sandbox only) completing payments of bills.

Bills are education bills (``EB…``, table ``bills``) or utility bills (``UB…``, table
``utility_bills``); :func:`find_bill` looks in both.

A bill is taken once it has a payment that is ``pending`` or ``paid``; the partial unique
index ``uq_payments_active_bill`` enforces this in the database, the check before the
insert only gives the common case a clear answer.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import beijing_iso, today, utc_now
from ..errors import (
    BILL_ALREADY_PAID,
    BILL_NOT_FOUND,
    PAYMENT_NOT_FOUND,
    PAYMENT_NOT_PENDING,
    PAYMENT_PENDING_MESSAGE,
    ApiError,
)
from ..identity import Caller
from ..ids import new_pay_code, new_payment_id, new_receipt_no
from ..money import fen_to_yuan
from ..schemas.payments import PaymentCreate, PaymentCreated, PaymentOut, PendingPayment
from ..tables import ACTIVE_PAYMENT_STATUSES, Bill, Payment, UtilityBill

logger = logging.getLogger(__name__)

_INSERT_ATTEMPTS = 5
"""Tries to insert a payment when a random pay code collides with an existing one."""


def find_bill(session: Session, bill_id: str) -> tuple[str, Bill | UtilityBill] | None:
    """``("education", bill)`` or ``("utility", bill)``, or None for an unknown id."""
    education = session.get(Bill, bill_id)
    if education is not None:
        return "education", education
    utility = session.get(UtilityBill, bill_id)
    if utility is not None:
        return "utility", utility
    return None


def bill_service(bill_id: str) -> str:
    """The service code a bill is paid under (for proxy scopes)."""
    return "utility_payment" if bill_id.startswith("UB") else "education_fee"


def expire_stale(session: Session, *, ttl_s: int, bill_id: str | None = None) -> None:
    """Mark pending payments older than ``ttl_s`` seconds ``expired`` (of one bill, or all)."""
    query = update(Payment).where(
        Payment.status == "pending", Payment.created_at < utc_now() - timedelta(seconds=ttl_s)
    )
    if bill_id is not None:
        query = query.where(Payment.bill_id == bill_id)
    session.execute(query.values(status="expired").execution_options(synchronize_session=False))


def create_payment(
    *,
    session: Session,
    payment_in: PaymentCreate,
    caller: Caller | None = None,
    ttl_s: int = 1800,
) -> PaymentCreated:
    """Start a payment of ``payment_in.bill_id``; the caller's transaction commits it.

    A pending payment of the bill older than ``ttl_s`` expires first (its pay code can no
    longer be used), so the bill can be paid anew. Raises ``bill_not_found`` (404) or
    ``bill_already_paid`` (409); while the bill's payment is only pending, the error carries
    it as ``pending_payment`` (its pay code is still the one to pay with).
    """
    found = find_bill(session, payment_in.bill_id)
    if found is None:
        raise ApiError(BILL_NOT_FOUND)
    kind, bill = found
    expire_stale(session, ttl_s=ttl_s, bill_id=bill.bill_id)
    amount_fen = bill.total_fen if isinstance(bill, Bill) else bill.amount_fen
    if bill.status == "paid" or _bill_taken(session, bill.bill_id):
        raise _already_paid(session, bill.bill_id, ttl_s)
    for _ in range(_INSERT_ATTEMPTS):
        payment = Payment(
            payment_id=new_payment_id(),
            bill_id=bill.bill_id,
            bill_kind=kind,
            payer=payment_in.payer,
            notify_phone=payment_in.notify_phone,
            citizen_id=caller.citizen_id if caller else None,
            proxy_authorization_id=caller.proxy.authorization_id
            if caller and caller.proxy
            else None,
            amount_fen=amount_fen,
            status="pending",
            pay_code=new_pay_code(),
            created_at=utc_now(),
        )
        try:
            with session.begin_nested():
                session.add(payment)
        except IntegrityError:
            if _bill_taken(session, bill.bill_id):
                raise _already_paid(session, bill.bill_id, ttl_s) from None
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


def get_payment(*, session: Session, payment_id: str, ttl_s: int = 1800) -> PaymentOut:
    """The state of a payment (``expired`` once pending longer than ``ttl_s``), or
    ``payment_not_found`` (404)."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise ApiError(PAYMENT_NOT_FOUND)
    out = payment_out(payment)
    if out.status == "pending" and _is_stale(payment, ttl_s):
        out.status = "expired"
    return out


def complete_payment(*, session: Session, payment_id: str, ttl_s: int = 1800) -> PaymentOut:
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
    if payment.status != "pending" or _is_stale(payment, ttl_s):
        raise ApiError(PAYMENT_NOT_PENDING)
    paid_at = utc_now()
    payment.status = "paid"
    payment.paid_at = paid_at
    payment.receipt_no = new_receipt_no(today())
    found = find_bill(session, payment.bill_id)
    if found is not None:
        found[1].status = "paid"
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


def _already_paid(session: Session, bill_id: str, ttl_s: int) -> ApiError:
    """``bill_already_paid`` for a bill that is paid, or (with ``pending_payment``: the
    payment, its pay code and when that expires) whose payment is not paid yet."""
    pending = session.execute(
        select(Payment).where(Payment.bill_id == bill_id, Payment.status == "pending").limit(1)
    ).scalar_one_or_none()
    if pending is None or _is_stale(pending, ttl_s):
        return ApiError(BILL_ALREADY_PAID)
    return ApiError(
        BILL_ALREADY_PAID,
        PAYMENT_PENDING_MESSAGE,
        pending_payment=PendingPayment(
            payment_id=pending.payment_id,
            amount=fen_to_yuan(pending.amount_fen),
            status="pending",
            pay_code=pending.pay_code,
            expires_at=beijing_iso(pending.created_at + timedelta(seconds=ttl_s)),
        ).dict(),
    )


def _is_stale(payment: Payment, ttl_s: int) -> bool:
    return bool(payment.created_at < utc_now() - timedelta(seconds=ttl_s))


def _bill_taken(session: Session, bill_id: str) -> bool:
    """Whether the bill has a pending or paid payment."""
    found = session.execute(
        select(Payment.payment_id)
        .where(Payment.bill_id == bill_id, Payment.status.in_(ACTIVE_PAYMENT_STATUSES))
        .limit(1)
    ).first()
    return found is not None
