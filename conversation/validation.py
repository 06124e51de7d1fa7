"""Checks on what users send: text length, characters, conversation ids.

Every string of every request body passes one check (:class:`ApiModel`): a declared text field
must be a string (not a number or ``true``), and no string anywhere in the body may hold a
character that cannot be stored or shown (lone surrogates, Unicode non-characters). Free text
(chat, replies, notes, summaries) is then cleaned by :func:`clean_text`: invisible formatting
characters are removed, real control characters are refused.

Pydantic models raise errors that carry our code and Chinese message in their context, which
``conversation.errors`` turns into the response.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from pydantic import BaseModel, Field, PydanticValueError, root_validator, validator

CONVERSATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}")
"""The shape of a conversation id; match it with ``fullmatch`` (:func:`is_conversation_id`)."""
CHANNELS = ("webchat", "kiosk", "wechat", "phone", "api")
HTTP_CHANNELS = ("webchat", "api")
"""What ``POST /api/chat`` may name: the other channels are bound on the server side."""
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
CLIENT_METADATA = ("accessibility", "input")
"""The metadata keys a client may send; everything else (district, age, agency point) comes
from verified data or the gateway's own configuration, never from the client."""
MAX_SEQ = 2**31 - 1
"""The largest message number or record id a query or path may name (SQLite and PostgreSQL
integers hold it; a larger one is refused before it reaches the database)."""

# Lone surrogates cannot be encoded (the database refuses them) and non-characters are
# reserved by Unicode never to appear in text: both are refused wherever text enters.
_UNREADABLE = re.compile("[\ud800-\udfff\ufdd0-\ufdef]")
# Invisible formatting that phone keyboards and copy-paste slip in (zero-width spaces and
# joiners, direction marks, the word joiner, the byte order mark, tag characters): removed.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
# Tab, line feed and carriage return are allowed and folded to spaces; every other control
# character (C0, DEL, C1) and the direction overrides that reorder what staff read are refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


class CodedError(PydanticValueError):
    """A validation error that carries the gateway's code and Chinese message."""

    code = "coded"
    msg_template = "{message}"

    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(code=code, message=message)


def _noncharacter(text: str) -> bool:
    return any(ord(ch) & 0xFFFE == 0xFFFE for ch in text)


def check_chars(text: str) -> str:
    """``text`` unchanged, or :class:`CodedError` ``text_invalid_chars`` when it holds a lone
    surrogate or a Unicode non-character (U+FDD0–U+FDEF, U+xxFFFE, U+xxFFFF)."""
    if _UNREADABLE.search(text) or _noncharacter(text):
        raise CodedError(code="text_invalid_chars", message="内容里有无法识别的字符，请重新输入。")
    return text


def strip_invisible(text: str) -> str:
    """``text`` without invisible formatting characters (zero-width, tags, BOM)."""
    return _INVISIBLE.sub("", text)


def clean_text(text: str, *, max_chars: int) -> str:
    """Validate and normalise a user's text: unreadable characters refused, invisible ones
    removed, control characters refused, NFC, whitespace folded, length checked.

    Raises :class:`CodedError` with ``text_invalid_chars``, ``text_control_chars``,
    ``text_empty`` or ``text_too_long``.
    """
    text = strip_invisible(check_chars(text))
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


def is_conversation_id(value: str) -> bool:
    """Whether ``value`` is a conversation id, whole (no trailing newline)."""
    return CONVERSATION_ID.fullmatch(value) is not None


def new_conversation_id() -> str:
    """A fresh conversation id."""
    return uuid.uuid4().hex


def _check_strings(value: Any) -> None:
    """Every string in ``value`` (keys too, nested lists and objects) passes :func:`check_chars`."""
    if isinstance(value, str):
        check_chars(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_strings(item)


def _text_fields(model: Any) -> dict[str, Any]:
    return {
        name: field
        for name, field in model.__fields__.items()
        if isinstance(field.outer_type_, type) and issubclass(field.outer_type_, str)
    }


class ApiModel(BaseModel):
    """The base of every request body of the gateway: the one check of what enters as text.

    Before the fields are validated, every string anywhere in the body passes
    :func:`check_chars`, and a declared text field given anything but a string (a number,
    ``true``, a list) is refused with ``<field>_invalid`` (pydantic would turn ``5`` into "5").
    """

    @root_validator(pre=True)
    def _strings(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        _check_strings(values)
        for name, field in _text_fields(cls).items():
            given = values.get(field.alias, values.get(name))
            if given is not None and not isinstance(given, str):
                raise CodedError(code=f"{name}_invalid", message=f"“{name}”应当是一段文字。")
        return values


class ChatRequest(ApiModel):
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
        if value is not None and not is_conversation_id(value):
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
