"""Errors as values: a code the operator can grep and a plain Chinese message for the user.

Every error response of the gateway is ``{"error": {"code": "...", "message": "..."}}``;
FastAPI's own validation and HTTP errors are turned into that form here, so a client never
sees a bare stack trace or an empty 200.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error to answer with: HTTP status, snake_case code, Chinese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def error_body(code: str, message: str) -> dict[str, Any]:
    """The error document of every gateway error."""
    return {"error": {"code": code, "message": message}}


# pydantic error types and locations → our codes and messages.
_FIELD_ERRORS: dict[str, tuple[str, str]] = {
    "text": ("text_invalid", "请输入要说的话。"),
    "conversation_id": ("conversation_id_invalid", "会话编号格式不对，请刷新页面重试。"),
    "channel": ("channel_invalid", "渠道名称不对。"),
    "metadata": ("metadata_invalid", "附加信息格式不对。"),
    "message_id": ("message_id_invalid", "消息编号格式不对。"),
}
TOO_LARGE = ("too_large", "内容太长了，请分几次说。")
_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("invalid_json", "请求内容不是有效的 JSON。"),
    404: ("not_found", "没有这个地址。"),
    405: ("method_not_allowed", "不支持这种请求方式。"),
    413: TOO_LARGE,
}


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    for error in errors:
        empty_body = error.get("loc") == ("body",) and error.get("type") == "value_error.missing"
        if empty_body or error.get("type") in {"value_error.jsondecode", "json_invalid"}:
            return JSONResponse(
                error_body("invalid_json", "请求内容不是有效的 JSON。"), status_code=400
            )
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ())]
    if location == ["body"] or first.get("type") in {"type_error.dict"}:
        return JSONResponse(error_body("invalid_body", "请求内容格式不对。"), status_code=422)
    field = location[-1] if location else ""
    code, message = _FIELD_ERRORS.get(field, ("invalid_request", "请求内容有误。"))
    if location[:1] in (["query"], ["path"]) and field not in _FIELD_ERRORS:
        code, message = f"{field}_invalid", f"地址里的“{field}”不对。"
    ctx = first.get("ctx") or {}
    if isinstance(ctx, dict) and "code" in ctx:
        code, message = str(ctx["code"]), str(ctx["message"])
    logger.info("gateway.request.invalid code=%s path=%s", code, request.url.path)
    return JSONResponse(error_body(code, message), status_code=422)


def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "请求没有成功。"))
    return JSONResponse(
        error_body(code, message),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


STORE_DOWN = ("store_unavailable", "系统正忙，刚才这句没有记下，请过一会儿再说一遍。")


def is_store_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means the gateway's database could not be reached (not a refused
    statement, not another connection's failure)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if not isinstance(exc, store_errors()):
        return False
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated or isinstance(exc, InterfaceError):
            return True
        return isinstance(exc, OperationalError) and not _sqlite_statement_error(exc.orig)
    if isinstance(exc, ConnectionError):
        return _raised_by_a_store_driver(exc)
    return True


def _store_down(request: Request, exc: Exception) -> JSONResponse:
    """The gateway's database could not be reached (restarting, network cut): a 503 the user
    can act on, not a 500. Nothing of the request was kept unless it was answered."""
    if not is_store_outage(exc):
        # A refused statement is a bug, not an outage; another connection's refusal (the
        # platform, a socket) is not the database.
        return _unexpected(request, exc)
    logger.error("gateway.store.unavailable path=%s error=%s", request.url.path, type(exc).__name__)
    return JSONResponse(error_body(*STORE_DOWN), status_code=503, headers={"Retry-After": "2"})


STORE_DRIVERS = ("asyncpg", "sqlalchemy", "aiosqlite")

SQLITE_OUTAGES = ("locked", "unable to open", "disk i/o error", "busy")
"""What SQLite says when its file cannot be used now (as opposed to a statement it refuses:
"no such table" is a bug, a 500)."""


def _sqlite_statement_error(orig: BaseException | None) -> bool:
    """Whether the driver's error is SQLite refusing a statement, not the file being away."""
    import sqlite3

    if not isinstance(orig, sqlite3.Error):
        return False
    message = str(orig).lower()
    return not any(outage in message for outage in SQLITE_OUTAGES)


def _raised_by_a_store_driver(exc: BaseException) -> bool:
    """Whether a plain ``ConnectionError`` (asyncpg connecting to a server that is down raises
    ``ConnectionRefusedError`` itself) came from the database's driver."""
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.split(".", 1)[0] in STORE_DRIVERS:
            return True
        tb = tb.tb_next
    return False


def store_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean "the database is unreachable" (SQLAlchemy's wrapped driver
    errors, a pool that cannot give a connection, a refused or reset socket)."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    errors: list[type[Exception]] = [DBAPIError, PoolTimeout, ConnectionError]
    try:
        from asyncpg.exceptions import PostgresConnectionError

        errors.append(PostgresConnectionError)
    except ImportError:  # pragma: no cover - the embedded profile may lack asyncpg
        pass
    return tuple(errors)


def unexpected_body() -> dict[str, Any]:
    """The error document of a failure no handler expected (a 500)."""
    return error_body("internal_error", "系统出了点问题，请稍后再试，或说“转人工”。")


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("gateway.error.unexpected path=%s", request.url.path, exc_info=exc)
    return JSONResponse(unexpected_body(), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` in the gateway's error form."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for store_error in store_errors():
        app.add_exception_handler(store_error, _store_down)
    app.add_exception_handler(Exception, _unexpected)
