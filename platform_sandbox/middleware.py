"""ASGI middleware in front of ``/v1``: rate limits, then injected faults.

Pure ASGI (no ``BaseHTTPMiddleware``) so that it adds next to nothing to each request.
The sandbox helpers (``/v1/sandbox``) and ``/healthz`` are neither limited nor faulted.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import RATE_LIMITED, SERVICE_UNAVAILABLE, ErrorSpec
from .faults import Faults
from .ratelimit import RateLimiter

API_PREFIX = "/v1/"
HELPERS_PREFIX = "/v1/sandbox"


class GuardMiddleware:
    """Applies :class:`RateLimiter` and :class:`Faults` to contract routes."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, faults: Faults) -> None:
        self.app = app
        self.limiter = limiter
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIX) or path.startswith(HELPERS_PREFIX):
            await self.app(scope, receive, send)
            return
        wait_s = self.limiter.check(_authorization(scope))
        if wait_s is not None:
            await _error(send, RATE_LIMITED, {"retry-after": str(wait_s)})
            return
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if self.faults.should_fail():
            await _error(send, SERVICE_UNAVAILABLE, {"retry-after": "1"})
            return
        await self.app(scope, receive, send)


def _authorization(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return value.decode("latin-1")
    return ""


async def _error(send: Send, spec: ErrorSpec, headers: dict[str, str]) -> None:
    body = json.dumps(
        {"error": {"code": spec.code, "message": spec.message}}, ensure_ascii=False
    ).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": spec.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
