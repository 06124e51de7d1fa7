"""Who is calling: a staff session (cookie or bearer token, CSRF-checked), or a service.

Declared once here and used by every route as ``StaffUser``, ``Supervisor`` and ``Service``.

- Cookie sessions: ``banshi_staff`` is HttpOnly and SameSite=Strict. Every unsafe request
  (POST, PUT, PATCH, DELETE) made with the cookie must carry ``X-CSRF-Token`` equal to the
  session's token, and an ``Origin`` header, when present, must be this server's.
- Bearer sessions: ``Authorization: Bearer <session token>`` (from the login response), for
  API clients; a bearer token is never sent by a browser on its own, so it needs no CSRF token.
- The service token (``POST /api/handoffs`` from the action server) is a bearer token too.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from conversation.errors import ApiError
from handoff.audit import Actor
from handoff.models import Session, Staff
from handoff.runtime import HandoffRuntime

COOKIE = "banshi_staff"
CSRF_HEADER = "X-CSRF-Token"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_TOUCH_EVERY_S = 15.0
_touched: dict[str, float] = {}


def runtime_of(request: Request) -> HandoffRuntime:
    """The handoff runtime of the app."""
    runtime: HandoffRuntime = request.app.state.handoff
    return runtime


Runtime = Annotated[HandoffRuntime, Depends(runtime_of)]


@dataclass
class Authenticated:
    """A staff request: the session, the person, the actor for the audit log."""

    session: Session
    staff: Staff
    actor: Actor
    via_cookie: bool


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def client_of(request: Request) -> str:
    """The caller's address (audit log, sign-in limits): the connection's peer; only when the
    peer is one of ``HandoffConfig.trusted_proxies``, the nearest address in
    ``X-Forwarded-For`` that is not a trusted proxy itself."""
    peer = request.client.host if request.client else ""
    runtime = getattr(request.app.state, "handoff", None)
    trusted = runtime.config.trusted_proxies if runtime is not None else ()
    if not trusted or not _within(peer, trusted):
        return peer
    forwarded = [
        part.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for part in header.split(",")
    ]
    for address in reversed(forwarded):
        if not _within(address, trusted):
            return address if _address(address) is not None else peer
    return peer


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(text: str, networks: tuple[str, ...]) -> bool:
    address = _address(text)
    return address is not None and any(
        address in ipaddress.ip_network(network, strict=False) for network in networks
    )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def touch(runtime: HandoffRuntime, session: Session) -> None:
    """Keep the session's presence fresh (at most one write per session every 15 s)."""
    now = time.monotonic()
    if now - _touched.get(session.token_hash, 0.0) >= _TOUCH_EVERY_S:
        _touched[session.token_hash] = now
        await runtime.staff.touch(session)


async def current_staff(request: Request, runtime: Runtime) -> Authenticated:
    """The logged-in staff member, or 401; 403 on a cookie request that fails the CSRF check."""
    token = _bearer(request)
    via_cookie = token is None
    if token is None:
        token = request.cookies.get(COOKIE)
    if not token:
        raise ApiError(401, "login_required", "请先登录。")
    session = await runtime.staff.session(token)
    if session is None:
        raise ApiError(401, "session_invalid", "登录已过期，请重新登录。")
    if via_cookie and request.method in _UNSAFE:
        given = request.headers.get(CSRF_HEADER, "")
        if not _same_origin(request) or not hmac.compare_digest(given, session.csrf_token):
            raise ApiError(403, "csrf_failed", "页面已过期或来源不对，请刷新页面后再试。")
    await touch(runtime, session)
    return Authenticated(
        session, session.staff, Actor.of(session.staff, client_of(request)), via_cookie
    )


StaffUser = Annotated[Authenticated, Depends(current_staff)]


async def current_supervisor(user: StaffUser) -> Authenticated:
    """A supervisor, or 403."""
    if not user.staff.is_supervisor:
        raise ApiError(403, "supervisor_only", "只有主管可以使用这个功能。")
    return user


Supervisor = Annotated[Authenticated, Depends(current_supervisor)]


async def service_caller(request: Request, runtime: Runtime) -> Actor:
    """The action server (or another banshi process) with the service token, or 401."""
    token = _bearer(request)
    if not token:
        raise ApiError(401, "service_token_required", "需要服务令牌。")
    if not runtime.service_token or not hmac.compare_digest(token, runtime.service_token):
        raise ApiError(401, "service_token_invalid", "服务令牌不对。")
    return Actor("service", "actions", "action server", client_of(request))


Service = Annotated[Actor, Depends(service_caller)]
