"""Tables of education fees: students, their bills and the bills' lines."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from .base import Base


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
