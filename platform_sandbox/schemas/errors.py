"""The error body every failing call returns (documented in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """What went wrong: a stable snake_case code and a Chinese message for people."""

    code: str
    message: str
    reason: str | None = None
    """Why a citizen is ``not_eligible``: ``age_under_80``, ``age_under_60``,
    ``income_above_threshold``."""
    missing: list[str] | None = None
    """The materials a ``materials_required`` application lacks."""
    remaining_tries: int | None = None
    """Tries left after ``code_invalid`` before the verification locks."""


class ErrorBody(BaseModel):
    """``{"error": {"code": "...", "message": "..."}}``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a route that documents ``statuses`` as error bodies."""
    return {status: {"model": ErrorBody} for status in statuses}
