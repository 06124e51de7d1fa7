"""``POST /api/chat``, ``GET /api/chat/{id}/messages``, read-aloud audio and the ``/chat`` page
(DESIGN.md §4.4).

A conversation belongs to whoever started it: ``POST /api/chat`` without ``conversation_id``
starts one, and only its answer carries the ``conversation_token``. Every later read or write
of the conversation sends the token in ``X-Conversation-Token``; without it the request is
refused (401), and with a wrong one, or for an id the gateway never gave out, it is answered as
if the conversation did not exist (404). A refused request stores nothing.
"""

from __future__ import annotations

import time
from pathlib import Path as FilePath
from typing import Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import FileResponse, Response

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
from voice.audio import ESPEAK_RATE, wav_bytes
from voice.engine import VoiceEngine
from voice.synthesizer import SynthesisError
from zhtext.speakable import to_speakable

STATIC_DIR = FilePath(__file__).parent / "static"
router = APIRouter()
TOKEN_HEADER = "X-Conversation-Token"
WELCOME = "您好！我是办事小助手。请点下面的按钮选您要办的事，也可以在最下面打字告诉我。"
"""The greeting the page shows (with its three starting options) before the first turn; the
page's script holds the same text, and ``GET /api/chat/welcome/audio`` reads it aloud."""
SPOKEN_PARTIES = (Party.BOT, Party.STAFF, Party.SYSTEM)
"""Whose messages the page shows as answers, and can read aloud."""


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
    include: str | None = Query(None, max_length=16),
    conversation_token: str | None = Header(None, alias=TOKEN_HEADER),
) -> dict[str, Any]:
    """Messages for the user with ``seq > after`` (bot, staff and system; not their own);
    only with the conversation's token. ``include=citizen`` adds the citizen's own messages,
    so that a reloaded page can show the whole conversation again."""
    check_conversation_id(conversation_id)
    if include not in (None, "citizen"):
        raise ApiError(422, "include_invalid", "include 只能是 citizen（连同您自己说的话）。")
    service: ConversationService = request.app.state.conversations
    await check_token(service, conversation_id, conversation_token)
    mode = await service.store.mode(conversation_id)
    if mode is None:
        raise not_found()
    parties = (*SPOKEN_PARTIES, Party.CITIZEN) if include else SPOKEN_PARTIES
    items = await service.store.messages_after(conversation_id, after, parties=parties)
    return {
        "conversation_id": conversation_id,
        "mode": mode.value,
        "messages": [message_json(m) for m in items],
    }


def check_conversation_id(conversation_id: str) -> None:
    """Refuse an id that cannot be one (422)."""
    if not is_conversation_id(conversation_id):
        raise ApiError(422, "conversation_id_invalid", "会话编号格式不对，请刷新页面重试。")


async def speech_wav(request: Request, text: str, *, slow: bool = False, cache: bool) -> Response:
    """``text`` read by our synthesizer (the kiosk's engine) as a WAV file; 503 without it."""
    engine: VoiceEngine = request.app.state.voice
    try:
        pcm = await engine.synthesizer.synthesize(
            text, rate_cpm=engine.synthesizer.rate_for(slow=slow), cache=cache
        )
    except SynthesisError as error:
        raise ApiError(503, "tts_unavailable", "朗读暂时不能用，请看屏幕上的文字。") from error
    return Response(
        wav_bytes(pcm, ESPEAK_RATE),
        media_type="audio/wav",
        headers={"Cache-Control": "public, max-age=3600" if cache else "no-store"},
    )


@router.get("/api/chat/welcome/audio")
async def welcome_audio(request: Request) -> Response:
    """The page's greeting read aloud (WAV)."""
    return await speech_wav(request, WELCOME, cache=True)


@router.get("/api/chat/{conversation_id}/messages/{seq}/audio")
async def message_audio(
    request: Request,
    conversation_id: str,
    seq: int = Path(..., ge=1, le=MAX_SEQ),
    conversation_token: str | None = Header(None, alias=TOKEN_HEADER),
) -> Response:
    """One answer of the conversation read aloud (WAV): the ``speech`` text the gateway
    keeps for it (digits and amounts in words), else its text made speakable; at the slower
    rate once the citizen asked for it. Only with the conversation's token; never cached,
    as an answer may hold personal data."""
    check_conversation_id(conversation_id)
    service: ConversationService = request.app.state.conversations
    await check_token(service, conversation_id, conversation_token)
    found = await service.store.messages_by_seq(conversation_id, [seq])
    if not found or found[0].party not in SPOKEN_PARTIES:
        raise ApiError(404, "message_not_found", "没有找到这条消息，请刷新页面再试。")
    message = found[0]
    speech = str(message.payload.get("speech") or to_speakable(message.text))
    settings = await service.store.settings(conversation_id)
    return await speech_wav(
        request, speech, slow=settings.get("speech_rate") == "slow", cache=False
    )


@router.get("/chat", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The web chat page."""
    return FileResponse(STATIC_DIR / "chat.html", media_type="text/html; charset=utf-8")
