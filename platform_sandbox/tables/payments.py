"""Tables of the unified payment component and of the ``Idempotency-Key`` store."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text, UniqueConstraint, text

from .base import Base

ACTIVE_PAYMENT_STATUSES = ("pending", "paid")
"""Payment statuses that take a bill: a bill has at most one payment in these statuses."""


class Payment(Base):
    """A payment of a bill (education or utility) through the unified payment component.

    ``bill_id`` names a row of ``bills`` (``bill_kind = "education"``, ids ``EB…``) or of
    ``utility_bills`` (``"utility"``, ids ``UB…``); the two id spaces never overlap.
    """

    __tablename__ = "payments"
    __table_args__ = (
        # The database, not only a check in code, guarantees one live payment per bill.
        Index(
            "uq_payments_active_bill",
            "bill_id",
            unique=True,
            sqlite_where=text("status IN ('pending', 'paid')"),
            postgresql_where=text("status IN ('pending', 'paid')"),
        ),
    )

    payment_id = Column(String(32), primary_key=True)
    bill_id = Column(String(20), nullable=False)
    bill_kind = Column(String(10), nullable=False)  # education | utility
    payer = Column(String(10), nullable=False)  # self | family
    notify_phone = Column(String(11), nullable=True)
    citizen_id = Column(String(10), nullable=True)
    """The identified citizen who paid (citizen token or proxy), if any."""
    proxy_authorization_id = Column(String(32), nullable=True)
    amount_fen = Column(Integer, nullable=False)
    status = Column(String(10), nullable=False)  # pending | paid | expired | failed
    pay_code = Column(String(8), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    paid_at = Column(DateTime, nullable=True)
    receipt_no = Column(String(32), nullable=True, unique=True)


class IdempotencyRecord(Base):
    """The first response given for an ``Idempotency-Key`` of one calling system.

    The unique constraint on (client, key) is what makes a repeated key never do the work
    twice, also when the repeats arrive at the same time.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_idempotency_client_key"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    client_id = Column(String(16), nullable=False)
    key = Column(String(255), nullable=False)
    fingerprint = Column(String(64), nullable=False)
    status_code = Column(Integer, nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
