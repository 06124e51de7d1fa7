"""``POST /api/chat``, ``GET /api/chat/{id}/messages`` and the ``/chat`` page (DESIGN.md §4.4)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from conversation.errors import ApiError
from conversation.metrics import Metrics
from conversation.service import ConversationService
from conversation.store import Party, StoredMessage
from conversation.validation import (
    MAX_SEQ,
    ChatRequest,
    CodedError,
    clean_text,
    is_conversation_id,
    new_conversation_id,
)

STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter()


def message_json(message: StoredMessage) -> dict[str, Any]:
    """A stored message as the chat API shows it."""
    out: dict[str, Any] = {"seq": message.seq, "from": message.party.value, "text": message.text}
    if message.payload.get("buttons"):
        out["buttons"] = message.payload["buttons"]
    if message.payload.get("speech"):
        out["speech"] = message.payload["speech"]
    return out


@router.post("/api/chat")
async def chat(request: Request, body: ChatRequest) -> dict[str, Any]:
    """One user turn: the text goes to the bot (or to staff), the answers come back."""
    service: ConversationService = request.app.state.conversations
    metrics: Metrics = request.app.state.metrics
    started = time.perf_counter()
    try:
        text = clean_text(body.text, max_chars=request.app.state.config.max_text_chars)
    except CodedError as error:
        metrics.error(error.code)
        raise ApiError(422, error.code, str(error)) from error
    conversation_id = body.conversation_id or new_conversation_id()
    try:
        result = await service.user_turn(
            conversation_id, text, channel=body.channel, metadata=body.metadata
        )
    except ApiError as error:
        metrics.error(error.code)
        metrics.turn(body.channel, "error", time.perf_counter() - started)
        raise
    metrics.turn(body.channel, "ok", time.perf_counter() - started)
    return {
        "conversation_id": result.conversation_id,
        "mode": result.mode.value,
        "messages": [message_json(m) for m in result.messages],
        "settings": result.settings,
    }


@router.get("/api/chat/{conversation_id}/messages")
async def messages_after(
    request: Request, conversation_id: str, after: int = Query(0, ge=0, le=MAX_SEQ)
) -> dict[str, Any]:
    """Messages for the user with ``seq > after`` (bot, staff and system; not their own)."""
    if not is_conversation_id(conversation_id):
        raise ApiError(422, "conversation_id_invalid", "会话编号格式不对，请刷新页面重试。")
    service: ConversationService = request.app.state.conversations
    mode = await service.store.mode(conversation_id)
    if mode is None:
        raise ApiError(404, "conversation_not_found", "没有找到这个会话，请重新开始。")
    items = await service.store.messages_after(
        conversation_id, after, parties=(Party.BOT, Party.STAFF, Party.SYSTEM)
    )
    return {
        "conversation_id": conversation_id,
        "mode": mode.value,
        "messages": [message_json(m) for m in items],
    }


@router.get("/chat", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The web chat page."""
    return FileResponse(STATIC_DIR / "chat.html", media_type="text/html; charset=utf-8")
