"""Staff login, logout and the current account (DESIGN.md §4.4 ``POST /api/staff/login``)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from conversation.errors import ApiError, error_body
from handoff.api.deps import COOKIE, Runtime, StaffUser, Supervisor, client_of
from handoff.api.schemas import LoginIn
from handoff.audit import Actor
from handoff.clock import iso
from handoff.passwords import verify_password

router = APIRouter(tags=["staff"])


def _delayed(wait_s: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait_s))
    return JSONResponse(
        error_body("login_locked", f"登录失败次数太多，请{seconds}秒后再试。"),
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )


@router.post("/api/staff/login", response_model=None)
async def login(
    body: LoginIn, request: Request, response: Response, runtime: Runtime
) -> dict[str, Any] | JSONResponse:
    """Check the password; set the HttpOnly session cookie and return a bearer token too.

    During a delay after wrong passwords (per name and address, and per address; see
    :mod:`handoff.throttle`) every try is refused with 429 ``login_locked`` and
    ``Retry-After`` before the password is looked at, the right one too.
    """
    username = body.username.strip()
    address = client_of(request)
    anonymous = Actor("anonymous", username[:64], username[:64], address)
    wait_s = await runtime.throttle.wait_s(username, address)
    if wait_s > 0:
        await runtime.audit.append(anonymous, "staff.login_locked", "staff", username[:64])
        return _delayed(wait_s)
    found = await runtime.staff.credentials(username)
    if not await verify_password(found[1] if found else None, body.password) or found is None:
        await runtime.throttle.failed(username, address)
        await runtime.audit.append(anonymous, "staff.login_failed", "staff", username[:64])
        raise ApiError(401, "login_failed", "用户名或密码不对。")
    await runtime.throttle.succeeded(username, address)
    member = found[0]
    token, session = await runtime.staff.open_session(member, hours=runtime.config.session_hours)
    await runtime.audit.append(
        Actor.of(member, client_of(request)), "staff.login", "staff", str(member.id)
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(runtime.config.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=runtime.config.cookie_secure,
        path="/",
    )
    return {
        "token": token,
        "token_type": "bearer",
        "csrf_token": session.csrf_token,
        "expires_at": iso(session.expires_at),
        "staff": member.public(),
    }


@router.post("/api/staff/logout")
async def logout(user: StaffUser, response: Response, runtime: Runtime) -> dict[str, Any]:
    """End the session and clear the cookie."""
    await runtime.staff.end_session(user.session)
    runtime.hub.forget(user.session.token_hash)
    await runtime.audit.append(user.actor, "staff.logout", "staff", str(user.staff.id))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return {"ok": True}


@router.get("/api/staff/me")
async def me(user: StaffUser) -> dict[str, Any]:
    """The logged-in account and the CSRF token of its session (for a reloaded page)."""
    return {
        "staff": user.staff.public(),
        "csrf_token": user.session.csrf_token,
        "expires_at": iso(user.session.expires_at),
    }


@router.get("/api/staff")
async def colleagues(user: StaffUser, runtime: Runtime) -> dict[str, Any]:
    """Colleagues one can transfer to: the same district (supervisors: everyone)."""
    district = None if user.staff.is_supervisor else user.staff.district
    members = await runtime.staff.accounts(district=district)
    return {"staff": [m.public() for m in members if m.id != user.staff.id]}


@router.post("/api/staff/{username}/disable")
async def disable(username: str, user: Supervisor, runtime: Runtime) -> dict[str, Any]:
    """A supervisor disables an account at once: its sessions and live feeds end, and the
    citizens it was serving go back to the queue and are told another person will take over."""
    if username == user.staff.username:
        raise ApiError(409, "cannot_disable_self", "不能停用自己的账号。")
    member, requeued = await runtime.service.disable_staff(username[:64], user.actor)
    return {"staff": member.public(), "requeued": [h.id for h in requeued]}
