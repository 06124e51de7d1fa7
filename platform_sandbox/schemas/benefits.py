"""Bodies of pension and medical-insurance routes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from .base import RequestBody

CertificationMethod = Literal["kiosk_face", "video", "home_visit", "agency_point"]
CERTIFICATION_METHODS: tuple[str, ...] = ("kiosk_face", "video", "home_visit", "agency_point")


class CertificationOut(BaseModel):
    """Where the citizen stands with the yearly pension eligibility check."""

    status: Literal["due", "done", "overdue"]
    due_date: date
    last_done_at: date | None
    methods: list[CertificationMethod]


class CertificationCreate(RequestBody):
    """Certify now (``kiosk_face``, ``video``) or ask for a visit (``home_visit``,
    ``agency_point``)."""

    method: CertificationMethod


class CertificationRecordOut(BaseModel):
    """The result: ``done`` at once, or ``scheduled`` for a visit."""

    record_id: str
    status: Literal["done", "scheduled"]
    next_due_date: date


class PensionPaymentOut(BaseModel):
    """One month's pension; ``bank_full`` only for the citizen themself."""

    month: str = Field(..., example="2026-10")
    amount: float = Field(..., description="Yuan (元).")
    paid_on: date
    bank_masked: str
    bank_full: str | None = None


class ClaimOut(BaseModel):
    """A hospital bill and what the insurance paid back."""

    date: date
    hospital: str
    total: float
    reimbursed: float


class MedicalAccountOut(BaseModel):
    """The citizen's medical insurance account."""

    balance: float = Field(..., description="Yuan (元).")
    paid_until: date
    status: Literal["active", "suspended"]
    recent_claims: list[ClaimOut]
