"""Bodies of the unified-payment routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, constr

from .base import RequestBody

PHONE_PATTERN = r"^1[3-9][0-9]{9}$"
"""A mainland mobile number: 11 ASCII digits starting with 13–19 (after stripping spaces)."""

BillId = constr(strip_whitespace=True, min_length=1, max_length=32)
Phone = constr(strip_whitespace=True, regex=PHONE_PATTERN)


class PaymentCreate(RequestBody):
    """Request to pay a bill."""

    bill_id: BillId  # type: ignore[valid-type]
    payer: Literal["self", "family"] = Field(
        ..., description="Who pays: the citizen themself or a family member."
    )
    notify_phone: Phone | None = Field(  # type: ignore[valid-type]
        None, description="Mobile number that receives the payment notice."
    )


class PaymentCreated(BaseModel):
    """A payment waiting for the payer to pay in a payment app."""

    payment_id: str
    amount: float = Field(..., description="Amount in yuan (元).")
    status: Literal["pending"]
    pay_code: str = Field(..., description="8-digit code the payer types into a payment app.")


class PendingPayment(BaseModel):
    """The pending payment of a bill, in the ``bill_already_paid`` error
    (``error.pending_payment``): the payer still pays with its pay code."""

    payment_id: str
    amount: float = Field(..., description="Amount in yuan (元).")
    status: Literal["pending"]
    pay_code: str = Field(..., description="8-digit code the payer types into a payment app.")
    expires_at: str = Field(..., description="When the pay code stops working (ISO 8601).")


class PaymentOut(BaseModel):
    """State of a payment; ``paid_at`` and ``receipt_no`` only once it is paid."""

    payment_id: str
    bill_id: str
    amount: float = Field(..., description="Amount in yuan (元).")
    status: Literal["pending", "paid", "expired", "failed"]
    paid_at: str | None = Field(None, description="ISO 8601, Beijing time.")
    receipt_no: str | None = None
