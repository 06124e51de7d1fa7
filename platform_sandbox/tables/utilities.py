"""Tables of utilities (水电燃气): accounts and their monthly bills."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String

from .base import Base


class UtilityAccount(Base):
    """A water, electricity or gas account (户号) registered to a citizen."""

    __tablename__ = "utility_accounts"

    account_number = Column(String(12), primary_key=True)
    type = Column(String(12), nullable=False)  # water | electricity | gas
    citizen_id = Column(String(10), ForeignKey("citizens.citizen_id"), nullable=False, index=True)
    address = Column(String(120), nullable=False)


class UtilityBill(Base):
    """One month's bill of a utility account."""

    __tablename__ = "utility_bills"

    bill_id = Column(String(20), primary_key=True)
    account_number = Column(
        String(12), ForeignKey("utility_accounts.account_number"), nullable=False, index=True
    )
    type = Column(String(12), nullable=False)
    period = Column(String(7), nullable=False)  # 2026-10
    amount_fen = Column(Integer, nullable=False)
    due_date = Column(Date, nullable=False)
    status = Column(String(10), nullable=False)  # unpaid | paid
