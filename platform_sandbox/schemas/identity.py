"""Bodies of identity verification (身份认证): SMS codes and ID-card reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, constr

from .base import RequestBody
from .payments import PHONE_PATTERN

ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9Xx]$"
ID_LAST6_PATTERN = r"^[0-9]{5}[0-9Xx]$"
CODE_PATTERN = r"^[0-9]{6}$"

Name = constr(strip_whitespace=True, min_length=1, max_length=20)
IdNumber = constr(strip_whitespace=True, regex=ID_NUMBER_PATTERN)
IdLast6 = constr(strip_whitespace=True, regex=ID_LAST6_PATTERN)
Phone = constr(strip_whitespace=True, regex=PHONE_PATTERN)
Code = constr(strip_whitespace=True, regex=CODE_PATTERN)


class VerificationCreate(RequestBody):
    """Either ``{name, id_number}`` or ``{phone, id_last6}``."""

    name: Name | None = None  # type: ignore[valid-type]
    id_number: IdNumber | None = Field(  # type: ignore[valid-type]
        None, description="18-character resident ID number (GB 11643)."
    )
    phone: Phone | None = None  # type: ignore[valid-type]
    id_last6: IdLast6 | None = Field(  # type: ignore[valid-type]
        None, description="Last six characters of the ID number."
    )
    purpose: Literal["proxy_binding"] | None = Field(
        None,
        description="``proxy_binding``: the code lets a relative act for the citizen; the SMS "
        "says so and tells the citizen to give it only if they agree.",
    )


class VerificationCreated(BaseModel):
    """A code was sent by SMS to the citizen's registered phone."""

    verification_id: str
    channel: Literal["sms"]
    masked_phone: str = Field(..., example="139****5678")
    expires_at: str = Field(..., description="When the code expires (ISO 8601, Beijing time).")


class VerificationConfirm(RequestBody):
    """The 6-digit code the citizen received."""

    code: Code  # type: ignore[valid-type]


class CardPayload(RequestBody):
    """What the kiosk's ID-card reader read (the sandbox accepts these two fields)."""

    id_number: IdNumber  # type: ignore[valid-type]
    name: Name  # type: ignore[valid-type]


class CardRead(RequestBody):
    """An ID card placed on the kiosk reader."""

    card_payload: CardPayload


class CitizenOut(BaseModel):
    """The identified citizen; ``*_full`` fields only for the citizen themself."""

    citizen_id: str
    name: str
    masked_id: str = Field(..., example="320205********1234")
    age: int = Field(..., description="Age in whole years today.")
    district: str
    phone_masked: str = Field(..., example="139****5678")
    id_number_full: str | None = None
    phone_full: str | None = None


class CitizenSession(BaseModel):
    """A citizen token (send it as ``X-Citizen-Token``) and who it identifies."""

    citizen_token: str
    expires_at: str = Field(..., description="ISO 8601, Beijing time: 30 minutes after issue.")
    citizen: CitizenOut
