"""Staff login, logout and the current account (DESIGN.md §4.4 ``POST /api/staff/login``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from conversation.errors import ApiError
from handoff.api.deps import COOKIE, Runtime, StaffUser, client_of
from handoff.api.schemas import LoginIn
from handoff.audit import Actor
from handoff.clock import iso
from handoff.passwords import verify_password

router = APIRouter(tags=["staff"])


@router.post("/api/staff/login")
async def login(
    body: LoginIn, request: Request, response: Response, runtime: Runtime
) -> dict[str, Any]:
    """Check the password; set the HttpOnly session cookie and return a bearer token too."""
    username = body.username.strip()
    anonymous = Actor("anonymous", username[:64], username[:64], client_of(request))
    if runtime.throttle.locked(username):
        await runtime.audit.append(anonymous, "staff.login_locked", "staff", username[:64])
        raise ApiError(429, "login_locked", "登录失败次数太多，请10分钟后再试。")
    found = await runtime.staff.credentials(username)
    if not await verify_password(found[1] if found else None, body.password) or found is None:
        runtime.throttle.failed(username)
        await runtime.audit.append(anonymous, "staff.login_failed", "staff", username[:64])
        raise ApiError(401, "login_failed", "用户名或密码不对。")
    runtime.throttle.succeeded(username)
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
