"""The handoff routes (DESIGN.md §4.4): create (service token), list, claim, reply, notes,
transfer and reassign, release to the bot, close, and proxy cases on a handoff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from conversation.errors import ApiError
from handoff.api.deps import Runtime, Service, StaffUser, Supervisor
from handoff.api.reveals import audited_reveal
from handoff.api.schemas import (
    CitizenIn,
    CloseIn,
    HandoffIn,
    ProxyIn,
    ReleaseIn,
    RouteIn,
    TextIn,
    TransferIn,
)
from handoff.clock import iso
from handoff.models import Outcome, Priority, Reason, Status
from handoff.service import HandoffRequest
from handoff.views import message_json

router = APIRouter(tags=["handoffs"])


@router.post("/api/handoffs", status_code=201)
async def create_handoff(
    body: HandoffIn, response: Response, runtime: Runtime, actor: Service
) -> dict[str, Any]:
    """Queue a conversation for a person (the action server, with the service token).

    201 for a new handoff, 200 when the conversation already has an open one. The answer
    carries the notice to tell the citizen (position and estimated wait, or a call-back offer).
    """
    citizen = body.citizen or CitizenIn(age=None, district="")
    result = await runtime.service.request(
        HandoffRequest(
            conversation_id=body.conversation_id,
            reason=Reason(body.reason),
            priority=Priority(body.priority) if body.priority else None,
            citizen_age=citizen.age,
            district=citizen.district.strip(),
            detail=body.detail,
            collected=body.collected,
            accessibility=body.accessibility,
        ),
        actor=actor,
        announce=body.announce,
    )
    if not result.created:
        response.status_code = 200
    _party, text, payload = result.notice
    return {
        "handoff_id": result.handoff.id,
        "status": result.handoff.status.value,
        "created": result.created,
        "position": result.position,
        "estimated_wait_s": (
            None if result.estimated_wait_s == float("inf") else round(result.estimated_wait_s)
        ),
        "callback_offered": result.callback_offered,
        "notice": {"text": text, "buttons": payload.get("buttons", [])},
    }


@router.get("/api/handoffs")
async def list_handoffs(
    user: StaffUser, runtime: Runtime, status: str = Query("waiting")
) -> dict[str, Any]:
    """Handoffs in one state that the caller may see; the waiting ones in queue order, each
    with its place in the caller's list (1, 2, 3 … in order: the citizen's own position, told
    to them, counts their pool and may differ) and the citizen's estimated wait. Every row says
    what the citizen came about: the service they were in and what they said last (masked)."""
    try:
        wanted = Status(status)
    except ValueError:
        raise ApiError(422, "status_invalid", "状态只能是 waiting、active 或 closed。") from None
    service = runtime.service
    if wanted is Status.WAITING:
        everything = await service.waiting()
    else:
        everything = await runtime.handoffs.in_state(status=wanted, limit=200)
    mine = [h for h in everything if user.staff.sees_district(h.district)]
    places = await service.places(mine) if wanted is Status.WAITING else {}
    accounts = {member.id: member for member in await runtime.staff.accounts()}
    words = await runtime.handoffs.last_said([h.conversation_id for h in mine])
    items = []
    for index, handoff in enumerate(mine, start=1):
        eta = places[handoff.id][1] if handoff.id in places else None
        items.append(
            await service.view(
                handoff,
                staff=accounts,
                position=index if wanted is Status.WAITING else None,
                estimated_wait_s=eta,
                last_said=words.get(handoff.conversation_id),
            )
        )
    return {"status": wanted.value, "handoffs": items}


@router.get("/api/handoffs/{handoff_id}")
async def get_handoff(
    handoff_id: str,
    user: StaffUser,
    runtime: Runtime,
    reveal: bool = Query(False),
    why: str = Query("", max_length=1000),
) -> dict[str, Any]:
    """One handoff with its notes and proxy cases; the collected data masked unless
    ``reveal`` with a reason ``why`` (the person serving it and supervisors, while it is open;
    granted and refused reveals are audited)."""
    if not reveal:
        handoff = await runtime.service.visible(handoff_id, user.staff)
    else:
        async with audited_reveal(runtime, user, "handoff", handoff_id, why) as reason:
            handoff = await runtime.service.visible(handoff_id, user.staff)
            if handoff.status is Status.CLOSED:
                raise ApiError(409, "handoff_closed", "这个会话已经结束，不能再查看完整信息。")
            serving = handoff.status is Status.ACTIVE and handoff.assigned_to == user.staff.id
            if not (serving or user.staff.is_supervisor):
                raise ApiError(
                    403, "reveal_forbidden", "只有正在服务的工作人员或主管可以查看完整信息。"
                )
        await runtime.audit.append(
            user.actor, "handoff.reveal", "handoff", handoff_id, {"why": reason}
        )
    notes = await runtime.handoffs.notes(handoff_id)
    cases = await runtime.proxies.for_conversation(handoff.conversation_id)
    words = await runtime.handoffs.last_said([handoff.conversation_id])
    return {
        "handoff": await runtime.service.view(
            handoff, reveal=reveal, last_said=words.get(handoff.conversation_id)
        ),
        "notes": [{**n, "at": iso(n["at"])} for n in notes],
        "proxy_cases": [runtime.proxy.view(c) for c in cases if c.handoff_id == handoff_id],
    }


@router.post("/api/handoffs/{handoff_id}/claim")
async def claim(handoff_id: str, user: StaffUser, runtime: Runtime) -> dict[str, Any]:
    """Take a waiting conversation; 409 ``already_claimed`` if a colleague was first."""
    handoff = await runtime.service.claim(handoff_id, user.staff, user.actor)
    return {"handoff": await runtime.service.view(handoff)}


@router.post("/api/handoffs/{handoff_id}/messages", status_code=201)
async def reply(handoff_id: str, body: TextIn, user: StaffUser, runtime: Runtime) -> dict[str, Any]:
    """Send the citizen a message (only the person serving the conversation)."""
    stored = await runtime.service.reply(handoff_id, user.staff, user.actor, body.text)
    return {"message": message_json(stored, reveal=True)}


@router.post("/api/handoffs/{handoff_id}/notes", status_code=201)
async def add_note(
    handoff_id: str, body: TextIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """A note for colleagues."""
    note = await runtime.service.note(handoff_id, user.staff, user.actor, body.text)
    return {"note": {**note, "at": iso(note["at"])}}


@router.post("/api/handoffs/{handoff_id}/transfer")
async def transfer(
    handoff_id: str, body: TransferIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """Give the conversation to a colleague (the person serving it)."""
    handoff = await runtime.service.transfer(handoff_id, user.staff, user.actor, body.to)
    return {"handoff": await runtime.service.view(handoff)}


@router.post("/api/handoffs/{handoff_id}/reassign")
async def reassign(
    handoff_id: str, body: TransferIn, user: Supervisor, runtime: Runtime
) -> dict[str, Any]:
    """A supervisor gives anyone's conversation to someone else."""
    handoff = await runtime.service.transfer(handoff_id, user.staff, user.actor, body.to)
    return {"handoff": await runtime.service.view(handoff)}


@router.post("/api/handoffs/{handoff_id}/route")
async def route(
    handoff_id: str, body: RouteIn, user: Supervisor, runtime: Runtime
) -> dict[str, Any]:
    """A supervisor gives a handoff its district (one without a district is seen by
    supervisors only until then); audited."""
    handoff = await runtime.service.route(handoff_id, user.staff, user.actor, body.district)
    return {"handoff": await runtime.service.view(handoff)}


@router.post("/api/handoffs/{handoff_id}/release")
async def release(
    handoff_id: str, body: ReleaseIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """Back to the bot, which greets the citizen again with the summary."""
    handoff, greeting = await runtime.service.release(
        handoff_id, user.staff, user.actor, body.summary
    )
    return {
        "handoff": await runtime.service.view(handoff),
        "greeting": [message_json(m, reveal=True) for m in greeting],
    }


@router.post("/api/handoffs/{handoff_id}/close")
async def close(
    handoff_id: str, body: CloseIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """End the conversation with staff with an outcome."""
    handoff = await runtime.service.close(
        handoff_id, user.staff, user.actor, Outcome(body.outcome), body.summary
    )
    return {"handoff": await runtime.service.view(handoff)}


@router.post("/api/handoffs/{handoff_id}/proxy-cases", status_code=201)
async def open_proxy_case(
    handoff_id: str, body: ProxyIn, user: StaffUser, runtime: Runtime
) -> dict[str, Any]:
    """Start a proxy case; the citizen is asked for consent."""
    case = await runtime.proxy.open(handoff_id, user.staff, user.actor, body.service_code)
    return {"proxy_case": runtime.proxy.view(case)}
