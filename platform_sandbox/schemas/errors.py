"""The error body every failing call returns (documented in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """What went wrong: a stable snake_case code and a Chinese message for people."""

    code: str
    message: str


class ErrorBody(BaseModel):
    """``{"error": {"code": "...", "message": "..."}}``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a route that documents ``statuses`` as error bodies."""
    return {status: {"model": ErrorBody} for status in statuses}
