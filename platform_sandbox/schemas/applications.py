"""Bodies of applications (申请)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, constr

from .base import RequestBody

ApplicationStatus = Literal["submitted", "reviewing", "approved", "rejected", "needs_info"]


class ApplicationCreate(RequestBody):
    """An application for a service; ``commitment`` replaces proofs where allowed."""

    service_code: constr(strip_whitespace=True, min_length=1, max_length=40)  # type: ignore[valid-type]
    form: dict[str, Any] = Field(
        default_factory=dict,
        description="Service-specific fields; ``materials``: names of the proofs uploaded.",
    )
    commitment: bool = Field(
        False, description="The citizen accepted the informed-commitment statement (告知承诺)."
    )


class ApplicationCreated(BaseModel):
    """A submitted application."""

    application_number: str
    status: Literal["submitted"]
    next_steps: list[str]


class TimelineEntry(BaseModel):
    """One step of an application."""

    at: str = Field(..., description="ISO 8601, Beijing time.")
    status: ApplicationStatus
    note: str


class ApplicationOut(BaseModel):
    """An application and its timeline."""

    application_number: str
    service_code: str
    status: ApplicationStatus
    timeline: list[TimelineEntry]


class ApplicationSummary(BaseModel):
    """One of a citizen's applications."""

    application_number: str
    service_code: str
    status: ApplicationStatus
    submitted_at: str
