"""How handoffs, call-backs and messages look in the console API (personal data masked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversation.masking import mask_mapping, mask_text
from conversation.store import StoredMessage
from handoff.clock import iso
from handoff.models import OUTCOME_ZH, REASON_ZH, Callback, Handoff, Staff
from handoff.topics import said, service_name


def age_group(age: int | None) -> str:
    """The dashboard's age groups."""
    if age is None:
        return "未知"
    if age >= 80:
        return "80岁及以上"
    if age >= 70:
        return "70-79岁"
    if age >= 60:
        return "60-69岁"
    return "60岁以下"


def handoff_json(
    handoff: Handoff,
    *,
    now: datetime,
    assignee: Staff | None = None,
    position: int | None = None,
    estimated_wait_s: float | None = None,
    reveal: bool = False,
    last_said: str | None = None,
) -> dict[str, Any]:
    """A handoff for the console: what, why, who, how long; collected data masked unless
    ``reveal`` (an audited read). ``service_zh`` and ``last_said`` (the citizen's latest
    message, always masked and shortened) tell staff what the citizen came about."""
    until = handoff.claimed_at or handoff.ended_at or now
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "status": handoff.status.value,
        "reason": handoff.reason.value,
        "reason_zh": REASON_ZH[handoff.reason],
        "priority": handoff.priority.value,
        "channel": handoff.channel,
        "citizen_age": handoff.citizen_age,
        "age_group": age_group(handoff.citizen_age),
        "district": handoff.district,
        "detail": handoff.detail if reveal else mask_text(handoff.detail),
        "service_zh": service_name(handoff.collected),
        "last_said": said(last_said),
        "collected": dict(handoff.collected) if reveal else mask_mapping(handoff.collected),
        "masked": not reveal,
        "accessibility": handoff.accessibility,
        "created_at": iso(handoff.created_at),
        "waited_s": round((until - handoff.created_at).total_seconds(), 1),
        "position": position,
        "estimated_wait_s": (
            None
            if estimated_wait_s is None or estimated_wait_s == float("inf")
            else round(estimated_wait_s)
        ),
        "assigned_to": assignee.public() if assignee else None,
        "claimed_at": iso(handoff.claimed_at),
        "ended_at": iso(handoff.ended_at),
        "outcome": handoff.outcome.value if handoff.outcome else None,
        "outcome_zh": OUTCOME_ZH[handoff.outcome] if handoff.outcome else None,
        "summary": handoff.summary,
        "callback_state": handoff.callback_state.value,
    }


def message_json(message: StoredMessage, *, reveal: bool = False) -> dict[str, Any]:
    """One transcript line: who, what (masked unless revealed), when, on which channel."""
    out: dict[str, Any] = {
        "seq": message.seq,
        "from": message.party.value,
        "text": message.text if reveal else mask_text(message.text),
        "channel": message.channel,
        "at": iso(message.created_at),
    }
    if message.payload.get("buttons"):
        out["buttons"] = [b.get("title", "") for b in message.payload["buttons"]]
    if message.payload.get("staff"):
        out["staff"] = message.payload["staff"]
    if message.payload.get("code"):
        out["code"] = message.payload["code"]
    return out


def callback_json(callback: Callback, *, reveal: bool = False) -> dict[str, Any]:
    """A call-back task; the number masked unless revealed (an audited read)."""
    return {
        "id": callback.id,
        "handoff_id": callback.handoff_id,
        "conversation_id": callback.conversation_id,
        "phone": callback.phone if reveal else mask_text(callback.phone),
        "district": callback.district,
        "reason": callback.reason,
        "status": callback.status,
        "created_at": iso(callback.created_at),
        "due_at": iso(callback.due_at),
        "done_at": iso(callback.done_at),
        "outcome": callback.outcome,
    }
