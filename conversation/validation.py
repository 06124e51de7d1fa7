"""Checks on what users send: text length, control characters, conversation ids.

Pydantic models raise errors that carry our code and Chinese message in their context, which
``conversation.errors`` turns into the response.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from pydantic import BaseModel, Field, PydanticValueError, validator

CONVERSATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$")
CHANNELS = ("webchat", "kiosk", "wechat", "phone", "api")
HTTP_CHANNELS = ("webchat", "api")
"""What ``POST /api/chat`` may name: the other channels are bound on the server side."""
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
CLIENT_METADATA = ("accessibility", "input")
"""The metadata keys a client may send; everything else (district, age, agency point) comes
from verified data or the gateway's own configuration, never from the client."""
# Tab, line feed and carriage return are allowed and folded to spaces; every other control
# character (C0, DEL, C1) and the Unicode format characters that hide text are refused.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"\s+")


class CodedError(PydanticValueError):
    """A validation error that carries the gateway's code and Chinese message."""

    code = "coded"
    msg_template = "{message}"

    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(code=code, message=message)


def clean_text(text: str, *, max_chars: int) -> str:
    """Validate and normalise a user's text: NFC, whitespace folded, length and controls checked.

    Raises :class:`CodedError` with ``text_empty``, ``text_too_long`` or ``text_control_chars``.
    """
    if _CONTROL.search(text):
        raise CodedError(
            code="text_control_chars", message="内容里有无法识别的控制字符，请重新输入。"
        )
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not text:
        raise CodedError(code="text_empty", message="没有收到内容，请说一句话或输入文字。")
    if len(text) > max_chars:
        raise CodedError(code="text_too_long", message=f"一次最多{max_chars}个字，请分几次说。")
    return text


def new_conversation_id() -> str:
    """A fresh conversation id."""
    return uuid.uuid4().hex


class ChatRequest(BaseModel):
    """``POST /api/chat`` body (DESIGN.md §4.4)."""

    conversation_id: str | None = Field(None, description="8–64 letters, digits, _ or -")
    text: str
    channel: str = "webchat"
    metadata: dict[str, Any] = Field(default_factory=dict)
    message_id: str | None = Field(
        None,
        description="the client's id of this turn (1–64 letters, digits, _ or -): "
        "a retry with the same id gets the first answer and is never handled twice",
    )

    class Config:
        extra = "ignore"
        max_anystr_length = 100_000

    @validator("conversation_id")
    def _conversation_id(cls, value: str | None) -> str | None:
        if value is not None and not CONVERSATION_ID.match(value):
            raise CodedError(
                code="conversation_id_invalid",
                message="会话编号格式不对，应为8到64位字母、数字、下划线或短横线。",
            )
        return value

    @validator("channel")
    def _channel(cls, value: str) -> str:
        if value not in HTTP_CHANNELS:
            raise CodedError(
                code="channel_invalid", message=f"渠道只能是：{'、'.join(HTTP_CHANNELS)}。"
            )
        return value

    @validator("message_id")
    def _message_id(cls, value: str | None) -> str | None:
        if value is not None and not MESSAGE_ID.fullmatch(value):
            raise CodedError(
                code="message_id_invalid",
                message="消息编号格式不对，应为1到64位字母、数字、下划线或短横线。",
            )
        return value

    @validator("metadata")
    def _metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(str(value)) > 4000:
            raise CodedError(code="metadata_too_large", message="附加信息太多了。")
        return {key: value[key] for key in CLIENT_METADATA if key in value}
