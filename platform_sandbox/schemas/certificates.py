"""Bodies of e-certificates (电子证照)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

CertificateType = Literal[
    "id_card",
    "hukou",
    "social_security_card",
    "senior_card",
    "retirement",
    "marriage",
    "driving_license",
]


class CertificateOut(BaseModel):
    """An e-certificate; ``number_full`` only for the citizen themself."""

    type: CertificateType
    name: str
    status: Literal["valid", "expired"]
    number_masked: str
    number_full: str | None = None
    expires_on: date | None = Field(None, description="None: valid for life (长期).")


class PresentationOut(BaseModel):
    """A one-time code a clerk or bank scans, valid 5 minutes."""

    presentation_code: str
    expires_at: str = Field(..., description="ISO 8601, Beijing time.")
