"""Bodies of the utilities routes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

UtilityType = Literal["water", "electricity", "gas"]


class UtilityBillOut(BaseModel):
    """A month's bill; pay it through ``POST /v1/payments`` with its ``bill_id``."""

    bill_id: str
    type: UtilityType
    account_masked: str
    account_full: str | None = None
    period: str = Field(..., example="2026-10")
    amount: float = Field(..., description="Yuan (元).")
    status: Literal["unpaid", "paid"]
    due_date: date
