"""Conversations for staff: the transcript (every read audited), live bot conversations for
supervisors to watch, and stepping in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from conversation.errors import ApiError
from conversation.store import Mode, conversations, messages
from conversation.validation import MAX_SEQ, is_conversation_id
from handoff.api.deps import Authenticated, Runtime, StaffUser, Supervisor
from handoff.api.reveals import audited_reveal
from handoff.clock import iso
from handoff.models import Handoff, Status
from handoff.topics import said
from handoff.views import message_json

router = APIRouter(tags=["conversations"])
PAGE = 1000


async def _allowed(runtime: Runtime, user: Authenticated, conversation_id: str) -> list[Handoff]:
    """The conversation's handoffs, if the caller may read it (else 404/403)."""
    if not is_conversation_id(conversation_id):
        raise ApiError(422, "conversation_id_invalid", "会话编号格式不对。")
    if await runtime.service.conversations.store.conversation(conversation_id) is None:
        raise ApiError(404, "conversation_not_found", "没有找到这个会话。")
    handoffs = await runtime.handoffs.for_conversation(conversation_id)
    if user.staff.is_supervisor:
        return handoffs
    if not any(user.staff.sees_district(h.district) for h in handoffs):
        raise ApiError(403, "forbidden_conversation", "您不能查看这个会话。")
    return handoffs


@router.get("/api/conversations/{conversation_id}/transcript")
async def transcript(
    conversation_id: str,
    user: StaffUser,
    runtime: Runtime,
    after: int = Query(0, ge=0, le=MAX_SEQ),
    reveal: bool = Query(False),
    why: str = Query("", max_length=1000),
) -> dict[str, Any]:
    """Every message of every party, in order, masked unless ``reveal`` with a reason ``why``
    (supervisors and the person serving the conversation only). Each read is in the audit
    log, and so is a refused reveal."""
    reason = ""
    if not reveal:
        handoffs = await _allowed(runtime, user, conversation_id)
    else:
        async with audited_reveal(runtime, user, "transcript", conversation_id, why) as reason:
            handoffs = await _allowed(runtime, user, conversation_id)
            serving = any(
                h.status is Status.ACTIVE and h.assigned_to == user.staff.id for h in handoffs
            )
            if not (user.staff.is_supervisor or serving):
                raise ApiError(
                    403, "reveal_forbidden", "只有正在服务的工作人员或主管可以查看完整信息。"
                )
    store = runtime.service.conversations.store
    items = await store.messages_after(conversation_id, after, limit=PAGE)
    await runtime.audit.append(
        user.actor,
        "transcript.reveal" if reveal else "transcript.view",
        "conversation",
        conversation_id,
        {"after": after, "messages": len(items), **({"why": reason} if reveal else {})},
    )
    runtime.hub.watch(user.session.token_hash, conversation_id)
    info = await store.conversation(conversation_id)
    assert info is not None
    return {
        "conversation": {
            "id": info.id,
            "channel": info.channel,
            "mode": info.mode.value,
            "created_at": iso(info.created_at),
        },
        "masked": not reveal,
        "handoffs": [await runtime.service.view(h) for h in handoffs],
        "messages": [message_json(m, reveal=reveal) for m in items],
        "more": len(items) == PAGE,
    }


@router.get("/api/conversations/live")
async def live(
    user: Supervisor, runtime: Runtime, minutes: int = Query(30, ge=1, le=1440)
) -> dict[str, Any]:
    """Conversations active in the last ``minutes`` (supervisors: to watch and step in), each
    with what the citizen said last (masked, shortened) so that the list says what it is."""
    since = runtime.clock() - timedelta(minutes=minutes)
    count = (
        select(func.count())
        .where(messages.c.conversation_id == conversations.c.id)
        .scalar_subquery()
    )
    query = (
        select(conversations, count.label("messages"))
        .where(conversations.c.updated_at >= since)
        .order_by(conversations.c.updated_at.desc())
        .limit(200)
    )
    async with runtime.handoffs.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    words = await runtime.handoffs.last_said([row.id for row in rows])
    return {
        "conversations": [
            {
                "id": row.id,
                "channel": row.channel,
                "mode": Mode(row.mode).value,
                "updated_at": iso(row.updated_at),
                "messages": int(row.messages),
                "last_said": said(words.get(row.id)),
            }
            for row in rows
        ]
    }


@router.post("/api/conversations/{conversation_id}/step-in")
async def step_in(conversation_id: str, user: StaffUser, runtime: Runtime) -> dict[str, Any]:
    """A supervisor takes the conversation over (the bot stops answering at once)."""
    if not is_conversation_id(conversation_id):
        raise ApiError(422, "conversation_id_invalid", "会话编号格式不对。")
    handoff = await runtime.service.step_in(conversation_id, user.staff, user.actor)
    return {"handoff": await runtime.service.view(handoff)}
