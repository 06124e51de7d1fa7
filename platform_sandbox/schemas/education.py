"""Bodies of the education-fee routes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class BillItemOut(BaseModel):
    """One line of a bill."""

    name: str
    amount: float = Field(..., description="Amount in yuan (元), rounded to fen (two decimals).")


class BillOut(BaseModel):
    """An education bill as the platform shows it."""

    bill_id: str
    student_name_masked: str = Field(..., example="王*明")
    school: str
    term: str = Field(..., example="2026年秋季学期")
    items: list[BillItemOut]
    total: float = Field(..., description="Sum of the items in yuan (元).")
    status: Literal["unpaid", "paid"]
    due_date: date
