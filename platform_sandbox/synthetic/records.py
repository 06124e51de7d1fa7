"""Plain records of a synthetic dataset; the seed loader writes them to the database.

Money is in integer fen (分); dates are calendar dates; timestamps are naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class School:
    """A school or kindergarten of the synthetic city."""

    name: str
    district: str
    kind: str
    """``kindergarten`` | ``primary`` | ``junior`` | ``senior``."""


@dataclass(frozen=True)
class Student:
    """A pupil (a grandchild of an elderly citizen) identified by a 10-digit student number."""

    student_id: str
    name: str
    school: School


@dataclass(frozen=True)
class BillItem:
    """One line of a bill."""

    name: str
    amount_fen: int


@dataclass(frozen=True)
class Bill:
    """One education bill of a student."""

    bill_id: str
    student_id: str
    school: str
    term: str
    items: tuple[BillItem, ...]
    due_date: date
    status: str
    """``unpaid`` | ``paid``."""

    @property
    def total_fen(self) -> int:
        """Sum of the items, in fen."""
        return sum(item.amount_fen for item in self.items)


@dataclass(frozen=True)
class Payment:
    """A completed payment of a bill that the dataset starts with as paid."""

    payment_id: str
    bill_id: str
    payer: str
    amount_fen: int
    pay_code: str
    created_at: datetime
    paid_at: datetime
    receipt_no: str


@dataclass
class Dataset:
    """Everything one seed generates."""

    seed: int
    students: list[Student] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    def bills_of(self, student_id: str) -> list[Bill]:
        """The bills of one student, in generation order."""
        return [bill for bill in self.bills if bill.student_id == student_id]
