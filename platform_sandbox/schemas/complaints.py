"""Bodies of complaints and suggestions (12345)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, constr

from .base import RequestBody
from .payments import PHONE_PATTERN

ComplaintCategory = Literal["complaint", "suggestion", "inquiry", "help", "praise"]


class ComplaintCreate(RequestBody):
    """投诉 complaint, 建议 suggestion, 咨询 inquiry, 求助 help, 表扬 praise."""

    category: ComplaintCategory
    content: constr(strip_whitespace=True, min_length=5, max_length=2000)  # type: ignore[valid-type]
    location: constr(strip_whitespace=True, max_length=120) | None = None  # type: ignore[valid-type]
    contact_phone: constr(strip_whitespace=True, regex=PHONE_PATTERN) | None = None  # type: ignore[valid-type]


class ComplaintCreated(BaseModel):
    """The work order's number."""

    ticket_number: str
