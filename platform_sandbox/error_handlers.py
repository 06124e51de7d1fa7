"""Exception handlers that give every error of the app the contract's error format."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import (
    FIELD_ERRORS,
    INTERNAL_ERROR,
    INVALID_JSON,
    INVALID_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHORIZED,
    ApiError,
    ErrorSpec,
)

logger = logging.getLogger(__name__)

_HTTP_ERRORS: dict[int, ErrorSpec] = {
    400: INVALID_JSON,  # the body could not even be decoded: 422 like any malformed body
    401: UNAUTHORIZED,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The contract's error body ``{"error": {"code", "message"}}`` with ``status``."""
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message}},
        headers=dict(headers) if headers else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers for contract errors, validation errors, HTTP errors and bugs."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    error = cast(ApiError, exc)
    return JSONResponse(status_code=error.status, content=error.body(), headers=error.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    spec, message = describe_validation_errors(list(cast(RequestValidationError, exc).errors()))
    return error_response(spec.status, spec.code, message)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    error = cast(StarletteHTTPException, exc)
    spec = _HTTP_ERRORS.get(error.status_code)
    if spec is None:
        spec = ErrorSpec(error.status_code, "http_error", "请求未能完成，请核对后重试。")
    return error_response(spec.status, spec.code, spec.message, headers=error.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("sandbox.request.failed", extra={"path": request.url.path})
    return error_response(INTERNAL_ERROR.status, INTERNAL_ERROR.code, INTERNAL_ERROR.message)


def describe_validation_errors(errors: list[Any]) -> tuple[ErrorSpec, str]:
    """Pick the contract error for FastAPI's validation ``errors`` and a Chinese message.

    The first error decides: a malformed JSON body is ``invalid_json``; a field listed in
    :data:`~platform_sandbox.errors.FIELD_ERRORS` gets its own code; anything else is
    ``invalid_request`` naming the field.
    """
    if not errors:
        return INVALID_REQUEST, INVALID_REQUEST.message
    first = errors[0]
    loc = tuple(str(part) for part in first.get("loc", ()))
    if str(first.get("type", "")).endswith("jsondecode") or first.get("type") == "json_invalid":
        return INVALID_JSON, INVALID_JSON.message
    if len(loc) >= 2:
        spec = FIELD_ERRORS.get((loc[0], loc[1].lower()))
        if spec is not None:
            return spec, spec.message
        field = ".".join(loc[1:])
        missing = str(first.get("type", "")).endswith("missing")
        detail = "缺少必填项" if missing else "格式不正确"
        return INVALID_REQUEST, f"请求内容不正确：{field} {detail}。"
    return INVALID_REQUEST, INVALID_REQUEST.message
