"""Database tables of the sandbox (SQLAlchemy 1.4 declarative, used in 2.0 style).

Money is stored as integer fen (分); responses convert to yuan at the boundary.
Timestamps are stored as naive UTC ``DateTime`` values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()
"""Declarative base of all tables (typed ``Any``: SQLAlchemy 1.4 ships no type hints)."""

ACTIVE_PAYMENT_STATUSES = ("pending", "paid")
"""Payment statuses that take a bill: a bill has at most one payment in these statuses."""


class Student(Base):
    """A pupil whose education fees are billed (a grandchild of a synthetic citizen)."""

    __tablename__ = "students"

    student_id = Column(String(10), primary_key=True)
    name = Column(String(20), nullable=False)
    district = Column(String(20), nullable=False)
    school = Column(String(60), nullable=False)


class Bill(Base):
    """An education bill (one term's fees of one student at one school)."""

    __tablename__ = "bills"

    bill_id = Column(String(20), primary_key=True)
    student_id = Column(String(10), ForeignKey("students.student_id"), nullable=False, index=True)
    school = Column(String(60), nullable=False)
    term = Column(String(30), nullable=False)
    due_date = Column(Date, nullable=False)
    status = Column(String(10), nullable=False)  # unpaid | paid

    student = relationship(Student, lazy="joined")
    items = relationship(
        "BillItem", order_by="BillItem.position", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def total_fen(self) -> int:
        """Sum of the item amounts, in fen."""
        return sum(item.amount_fen for item in self.items)


class BillItem(Base):
    """One line of a bill (学费, 餐费, ...)."""

    __tablename__ = "bill_items"

    bill_id = Column(String(20), ForeignKey("bills.bill_id"), primary_key=True)
    position = Column(Integer, primary_key=True)
    name = Column(String(30), nullable=False)
    amount_fen = Column(Integer, nullable=False)


class Payment(Base):
    """A payment of a bill through the unified payment component."""

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
    bill_id = Column(String(20), ForeignKey("bills.bill_id"), nullable=False)
    payer = Column(String(10), nullable=False)  # self | family
    notify_phone = Column(String(11), nullable=True)
    amount_fen = Column(Integer, nullable=False)
    status = Column(String(10), nullable=False)  # pending | paid | expired | failed
    pay_code = Column(String(8), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    paid_at = Column(DateTime, nullable=True)
    receipt_no = Column(String(32), nullable=True, unique=True)

    bill = relationship(Bill)


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
