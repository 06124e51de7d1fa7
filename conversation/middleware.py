"""The gateway's two ASGI middlewares: what every HTTP answer carries, and how big a request
body may be.

- :class:`Protections` (outermost): the security headers on every answer (a Content-Security-
  Policy without inline scripts or styles, ``nosniff``, no framing, no referrer),
  ``Cache-Control: no-store`` on the answers that hold personal data (``/api/`` and the
  console page), and a count of the answers by status class for ``/metrics``. An exception no
  handler caught becomes the coded 500 here, so that it too carries the headers and is counted.
- :class:`BodyLimit`: a request body longer than the limit is answered ``413 too_large``
  before it is read: at once when ``Content-Length`` says so, and as soon as the bytes of a
  chunked body pass the limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conversation.errors import TOO_LARGE, error_body, unexpected_body
from conversation.metrics import Metrics

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
PERSONAL_PREFIXES = ("/api/", "/console")
"""Paths whose answers may hold personal data: never stored by a browser or a proxy. The
console's static files (``/console/static/``) are not among them."""


def holds_personal_data(path: str) -> bool:
    """Whether the answer to ``path`` may hold personal data (``Cache-Control: no-store``)."""
    if path.startswith("/console/static/"):
        return False
    return path == "/console" or path.startswith(PERSONAL_PREFIXES)


Headers = list[tuple[bytes, bytes]]


def _with(headers: Iterable[tuple[bytes, bytes]], extra: dict[bytes, bytes]) -> Headers:
    kept = [(name, value) for name, value in headers if name.lower() not in extra]
    return kept + list(extra.items())


class Protections:
    """Security headers, ``no-store`` for personal data, responses counted by status class."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = dict(SECURITY_HEADERS)
        if holds_personal_data(scope.get("path", "")):
            extra[b"cache-control"] = b"no-store"
        started = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.metrics.response(int(message["status"]))
                message = {**message, "headers": _with(message.get("headers", []), extra)}
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except Exception:
            if not started:
                response = JSONResponse(unexpected_body(), status_code=500)
                await response(scope, receive, guarded)
            raise  # the error handler logs it; the server sees it


class BodyTooLarge(HTTPException):
    """The request body passed the limit while it was read."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """Refuse request bodies longer than ``max_bytes`` with ``413 too_large``, unread."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        code, message = TOO_LARGE
        response = JSONResponse(error_body(code, message), status_code=413)
        response.headers["connection"] = "close"
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes or declared < 0:
                    await self._refuse(scope, receive, send)
                    return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)
