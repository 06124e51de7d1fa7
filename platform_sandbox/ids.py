"""Identifiers the sandbox hands out at run time (payments, pay codes, receipts).

They come from :mod:`secrets`, not from the data seed: the seed fixes the synthetic
citizens and bills, while ids created by calls only need to be unique and unguessable.
"""

from __future__ import annotations

import secrets
from datetime import date

PAY_CODE_DIGITS = 8
"""Length of a pay code, the number a payer types into a payment app."""


def new_payment_id() -> str:
    """A payment id such as ``pay_3f9a0c2e7b1d4a65``."""
    return "pay_" + secrets.token_hex(8)


def new_pay_code() -> str:
    """An 8-digit pay code (leading zeros allowed)."""
    return f"{secrets.randbelow(10**PAY_CODE_DIGITS):0{PAY_CODE_DIGITS}d}"


def new_receipt_no(paid_on: date) -> str:
    """A receipt number such as ``R20261203-4F7A19C2`` (Beijing date of payment, then random)."""
    return f"R{paid_on:%Y%m%d}-{secrets.token_hex(4).upper()}"
