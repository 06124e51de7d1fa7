"""``POST /api/chat``, ``GET /api/chat/{id}/messages`` and the ``/chat`` page (DESIGN.md §4.4).

A conversation belongs to whoever started it: ``POST /api/chat`` without ``conversation_id``
starts one, and only its answer carries the ``conversation_token``. Every later read or write
of the conversation sends the token in ``X-Conversation-Token``; without it the request is
refused (401), and with a wrong one, or for an id the gateway never gave out, it is answered as
if the conversation did not exist (404). A refused request stores nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Header, Query, Request
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
)

STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter()
TOKEN_HEADER = "X-Conversation-Token"


def not_found() -> ApiError:
    """The answer for an unknown conversation and for a wrong token alike."""
    return ApiError(404, "conversation_not_found", "没有找到这个会话，请重新开始。")


async def check_token(
    service: ConversationService, conversation_id: str, token: str | None
) -> None:
    """Refuse the request unless ``token`` is the conversation's token."""
    if not token:
        raise ApiError(
            401,
            "conversation_token_missing",
            "请带上开始对话时拿到的会话凭证，或重新开始一个对话。",
        )
    if len(token) > 128 or not await service.store.token_matches(conversation_id, token):
        raise not_found()


def message_json(message: StoredMessage) -> dict[str, Any]:
    """A stored message as the chat API shows it."""
    out: dict[str, Any] = {"seq": message.seq, "from": message.party.value, "text": message.text}
    if message.payload.get("buttons"):
        out["buttons"] = message.payload["buttons"]
    if message.payload.get("speech"):
        out["speech"] = message.payload["speech"]
    return out


@router.post("/api/chat")
async def chat(
    request: Request,
    body: ChatRequest,
    conversation_token: str | None = Header(None, alias=TOKEN_HEADER),
) -> dict[str, Any]:
    """One user turn: the text goes to the bot (or to staff), the answers come back.

    Without ``conversation_id`` a new conversation starts and the answer carries its
    ``conversation_token``; with it, the ``X-Conversation-Token`` header must match.
    """
    service: ConversationService = request.app.state.conversations
    metrics: Metrics = request.app.state.metrics
    started = time.perf_counter()
    try:
        text = clean_text(body.text, max_chars=request.app.state.config.max_text_chars)
    except CodedError as error:
        metrics.error(error.code)
        raise ApiError(422, error.code, str(error)) from error
    new_token: str | None = None
    try:
        if body.conversation_id is None:
            conversation_id, new_token = await service.store.start_conversation(body.channel)
        else:
            conversation_id = body.conversation_id
            await check_token(service, conversation_id, conversation_token)
        result = await service.user_turn(
            conversation_id,
            text,
            channel=body.channel,
            metadata=body.metadata,
            message_id=body.message_id,
        )
    except ApiError as error:
        metrics.error(error.code)
        metrics.turn(body.channel, "error", time.perf_counter() - started)
        raise
    metrics.turn(body.channel, "ok", time.perf_counter() - started)
    answer: dict[str, Any] = {"conversation_id": result.conversation_id}
    if new_token is not None:
        answer["conversation_token"] = new_token
    return {
        **answer,
        "mode": result.mode.value,
        "messages": [message_json(m) for m in result.messages],
        "settings": result.settings,
    }


@router.get("/api/chat/{conversation_id}/messages")
async def messages_after(
    request: Request,
    conversation_id: str,
    after: int = Query(0, ge=0, le=MAX_SEQ),
    conversation_token: str | None = Header(None, alias=TOKEN_HEADER),
) -> dict[str, Any]:
    """Messages for the user with ``seq > after`` (bot, staff and system; not their own);
    only with the conversation's token."""
    if not is_conversation_id(conversation_id):
        raise ApiError(422, "conversation_id_invalid", "会话编号格式不对，请刷新页面重试。")
    service: ConversationService = request.app.state.conversations
    await check_token(service, conversation_id, conversation_token)
    mode = await service.store.mode(conversation_id)
    if mode is None:
        raise not_found()
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
