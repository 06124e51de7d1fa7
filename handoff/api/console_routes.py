"""The console page, its live feed (Server-Sent Events), canned replies, the supervisor's
dashboard and audit log, call-back tasks and proxy cases."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, StreamingResponse

from conversation.errors import ApiError
from conversation.validation import MAX_SEQ
from handoff.api.deps import Runtime, StaffUser, Supervisor, touch
from handoff.api.reveals import audited_reveal
from handoff.api.schemas import CallbackDoneIn, IdCardIn, ProxyResultIn, RevealIn
from handoff.audit import ACTION_ZH
from handoff.canned import canned_replies
from handoff.dashboard import figures
from handoff.events import ConsoleEvent
from handoff.topics import SERVICES
from handoff.views import callback_json

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
HEARTBEAT_S = 15.0
STREAM_LIFETIME_S = 300.0
router = APIRouter(tags=["console"])
Moment = Annotated[datetime | None, Query(description="a moment with its time zone (ISO 8601)")]
CallbackId = Annotated[int, PathParam(ge=1, le=MAX_SEQ, description="the call-back task's number")]


@router.get("/console", include_in_schema=False)
async def console_page() -> FileResponse:
    """The staff console page."""
    return FileResponse(STATIC_DIR / "console.html", media_type="text/html; charset=utf-8")


def _sse(event: ConsoleEvent) -> bytes:
    data = json.dumps(event.data, ensure_ascii=False, default=str)
    return f"event: {event.kind}\ndata: {data}\n\n".encode()


@router.get("/api/console/events")
async def events(request: Request, user: StaffUser, runtime: Runtime) -> StreamingResponse:
    """The live feed: queue changes for the caller's districts and messages of the
    conversations they opened. Heartbeats keep the caller on duty while the page is open and
    end the stream when the session ends; after five minutes the stream ends and the browser
    reconnects (so that a stopping gateway is never held open for long)."""
    subscription = runtime.hub.subscribe(user.staff, user.session.token_hash)
    session = user.session

    async def stream() -> AsyncIterator[bytes]:
        started = time.monotonic()
        try:
            hello = {"staff": user.staff.public(), "listeners": runtime.hub.listeners}
            yield b"retry: 1000\n" + _sse(ConsoleEvent("ready", hello))
            while time.monotonic() - started < STREAM_LIFETIME_S:
                if await request.is_disconnected():
                    break
                try:
                    event = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_S)
                except asyncio.TimeoutError:
                    if not await runtime.staff.alive(session):
                        yield _sse(ConsoleEvent("logged_out", {}))
                        break
                    await touch(runtime, session)
                    yield b": ping\n\n"
                    continue
                if subscription.ended:
                    yield _sse(ConsoleEvent("logged_out", {}))
                    break
                if subscription.overflowed:
                    subscription.overflowed = False
                    yield _sse(ConsoleEvent("resync", {}))
                yield _sse(event)
        finally:
            runtime.hub.unsubscribe(subscription)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/api/console/canned-replies")
async def canned(user: StaffUser) -> dict[str, Any]:
    """The canned replies."""
    return {"replies": canned_replies()}


@router.get("/api/console/services")
async def services(user: StaffUser) -> dict[str, Any]:
    """Services staff can do as a proxy case."""
    return {"services": [{"code": code, "name": name} for code, name in SERVICES.items()]}


@router.get("/api/dashboard")
async def dashboard(
    user: Supervisor, runtime: Runtime, hours: int = Query(24, ge=1, le=168)
) -> dict[str, Any]:
    """Handoffs per hour, waiting times, outcomes and age groups (supervisors)."""
    now = runtime.clock()
    handoffs = await runtime.handoffs.since(now - timedelta(hours=hours))
    data = figures(handoffs, now=now, zone=runtime.hours.zone, hours=hours)
    data["on_duty"] = await runtime.service.on_duty("")
    data["open_callbacks"] = len(await runtime.handoffs.callbacks(status="open"))
    await runtime.audit.append(user.actor, "dashboard.view", "dashboard", "", {"hours": hours})
    return data


@router.get("/api/audit")
async def audit(
    user: Supervisor,
    runtime: Runtime,
    target_kind: str | None = Query(None, max_length=24),
    target_id: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=48),
    actor: str | None = Query(None, max_length=64, description="who: a user name or an id"),
    since: Moment = None,
    until: Moment = None,
    before: int | None = Query(None, ge=1, le=MAX_SEQ, description="older than this entry id"),
    limit: int = Query(200, ge=1, le=1000),
) -> dict[str, Any]:
    """The newest audit entries (supervisors), filtered by who, what and when, a page at a
    time: ``next_before`` (when more may follow) asks for the next page. Every action's
    Chinese name is in ``actions``. Reading it is itself audited."""
    for moment in (since, until):
        if moment is not None and moment.tzinfo is None:
            message = "时间要带时区，例如 2026-12-05T08:00:00+08:00。"
            raise ApiError(422, "time_zone_missing", message)
    entries = await runtime.audit.entries(
        target_kind=target_kind,
        target_id=target_id,
        action=action,
        actor=actor.strip() if actor else None,
        since=since,
        until=until,
        before=before,
        limit=limit,
    )
    await runtime.audit.append(user.actor, "audit.view", "audit", "", {"entries": len(entries)})
    return {
        "entries": [e.public() for e in entries],
        "next_before": entries[-1].id if len(entries) == limit else None,
        "actions": ACTION_ZH,
    }


@router.get("/api/callbacks")
async def list_callbacks(
    user: StaffUser, runtime: Runtime, status: str = Query("open", max_length=8)
) -> dict[str, Any]:
    """Call-back tasks for the caller's district, numbers masked."""
    if status not in ("open", "done", "all"):
        raise ApiError(422, "status_invalid", "状态只能是 open、done 或 all。")
    tasks = await runtime.handoffs.callbacks(status=None if status == "all" else status)
    return {"callbacks": [callback_json(t) for t in tasks if user.staff.sees_district(t.district)]}


async def _callback(runtime: Runtime, user: StaffUser, callback_id: int) -> Any:
    task = await runtime.handoffs.callback(callback_id)
    if task is None:
        raise ApiError(404, "callback_not_found", "没有找到这个回电任务。")
    if not user.staff.sees_district(task.district):
        raise ApiError(403, "forbidden_district", "这个回电任务不属于您负责的区域。")
    return task


@router.post("/api/callbacks/{callback_id}/reveal")
async def reveal_callback(
    callback_id: CallbackId, body: RevealIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """The full number, to make the call: with a reason, while the task is open (granted and
    refused reveals are audited)."""
    async with audited_reveal(runtime, user, "callback", str(callback_id), body.why) as reason:
        task = await _callback(runtime, user, callback_id)
        if task.status != "open":
            raise ApiError(409, "callback_done", "这个回电任务已经完成了，不能再查看号码。")
    await runtime.audit.append(
        user.actor, "callback.reveal", "callback", str(callback_id), {"why": reason}
    )
    return {"callback": callback_json(task, reveal=True)}


@router.post("/api/callbacks/{callback_id}/done")
async def finish_callback(
    callback_id: CallbackId, body: CallbackDoneIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """The call was made."""
    await _callback(runtime, user, callback_id)
    if not await runtime.handoffs.finish_callback(
        callback_id, staff_id=user.staff.id, outcome=body.outcome
    ):
        raise ApiError(409, "callback_done", "这个回电任务已经完成了。")
    await runtime.audit.append(
        user.actor, "callback.done", "callback", str(callback_id), {"outcome": body.outcome}
    )
    task = await runtime.handoffs.callback(callback_id)
    assert task is not None
    return {"callback": callback_json(task)}


@router.get("/api/proxy-cases/{case_id}")
async def get_proxy_case(case_id: str, user: StaffUser, runtime: Runtime) -> dict[str, Any]:
    """A proxy case with its consent record and history."""
    case, _handoff = await runtime.proxy.visible(case_id, user.staff)
    await runtime.audit.append(user.actor, "proxy.view", "proxy_case", case_id)
    return {"proxy_case": runtime.proxy.view(case)}


@router.post("/api/proxy-cases/{case_id}/authorize")
async def authorize_proxy_case(
    case_id: str, body: IdCardIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """Identify the citizen from their ID card and create the platform proxy authorization."""
    case = await runtime.proxy.authorize(
        case_id, user.staff, user.actor, name=body.name.strip(), id_number=body.id_number.upper()
    )
    return {"proxy_case": runtime.proxy.view(case)}


@router.post("/api/proxy-cases/{case_id}/complete")
async def complete_proxy_case(
    case_id: str, body: ProxyResultIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """The service is done; the citizen is told the result."""
    case = await runtime.proxy.complete(case_id, user.staff, user.actor, body.result)
    return {"proxy_case": runtime.proxy.view(case)}


@router.post("/api/proxy-cases/{case_id}/cancel")
async def cancel_proxy_case(
    case_id: str, body: ProxyResultIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """Stop a case that is not done."""
    case = await runtime.proxy.cancel(case_id, user.staff, user.actor, body.result)
    return {"proxy_case": runtime.proxy.view(case)}
