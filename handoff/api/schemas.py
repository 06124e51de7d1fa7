"""Request bodies of the console API; validation errors carry our codes and Chinese messages."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, validator

from conversation.validation import ApiModel, CodedError, clean_text, is_conversation_id
from handoff.models import Outcome, Priority, Reason

MAX_TEXT = 1000
MAX_NAME = 64
CALLBACK_OUTCOMES = ("reached", "no_answer", "wrong_number")
_ID_NUMBER = re.compile(r"\d{17}[\dXx]", re.ASCII)


def _text(value: str, *, limit: int = MAX_TEXT) -> str:
    return clean_text(value, max_chars=limit)


def _choice(enum: Any, value: Any, code: str, message: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise CodedError(code=code, message=message) from None


class LoginIn(ApiModel):
    """``POST /api/staff/login``."""

    username: str = Field(..., max_length=MAX_NAME)
    password: str = Field(..., max_length=256)


class CitizenIn(ApiModel):
    """What the trigger knows about the citizen (nothing is required)."""

    age: int | None = Field(None, ge=0, le=130)
    district: str = Field("", max_length=MAX_NAME)


class HandoffIn(ApiModel):
    """``POST /api/handoffs`` (service token)."""

    conversation_id: str
    reason: str = Reason.REQUESTED.value
    priority: str | None = None
    citizen: CitizenIn | None = None
    detail: str = Field("", max_length=500)
    collected: dict[str, Any] = Field(default_factory=dict)
    accessibility: dict[str, Any] = Field(default_factory=dict)
    announce: bool = False
    """Push the queue notice to the citizen (the bot's action says it itself: false)."""

    @validator("conversation_id")
    def _conversation_id(cls, value: str) -> str:
        if not is_conversation_id(value):
            raise CodedError(code="conversation_id_invalid", message="会话编号格式不对。")
        return value

    @validator("reason")
    def _reason(cls, value: str) -> str:
        names = "、".join(r.value for r in Reason)
        return str(_choice(Reason, value, "reason_invalid", f"原因只能是：{names}。").value)

    @validator("priority")
    def _priority(cls, value: str | None) -> str | None:
        if value is None:
            return None
        message = "优先级只能是 normal 或 high。"
        return str(_choice(Priority, value, "priority_invalid", message).value)

    @validator("collected", "accessibility")
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(str(value)) > 4000:
            raise CodedError(code="metadata_too_large", message="附加信息太多了。")
        return value


class TextIn(ApiModel):
    """A reply or a note."""

    text: str

    @validator("text")
    def _clean(cls, value: str) -> str:
        return _text(value)


class ReleaseIn(ApiModel):
    """``POST /api/handoffs/{id}/release``: what was done, for the bot's greeting."""

    summary: str = Field("", max_length=400)

    @validator("summary")
    def _clean(cls, value: str) -> str:
        return _text(value, limit=200) if value.strip() else ""


class CloseIn(ApiModel):
    """``POST /api/handoffs/{id}/close``."""

    outcome: str
    summary: str = Field("", max_length=400)

    @validator("outcome")
    def _outcome(cls, value: str) -> str:
        message = "请选择一个结果：resolved、referred、proxy_case、citizen_left。"
        return str(_choice(Outcome, value, "outcome_invalid", message).value)

    @validator("summary")
    def _clean(cls, value: str) -> str:
        return _text(value, limit=200) if value.strip() else ""


class TransferIn(ApiModel):
    """Transfer or reassign to a colleague (by user name)."""

    to: str = Field(..., min_length=1, max_length=MAX_NAME)


class ProxyIn(ApiModel):
    """Open a proxy case for a platform service code."""

    service_code: str = Field(..., min_length=1, max_length=32)


class ProxyResultIn(ApiModel):
    """Complete (or cancel) a proxy case."""

    result: str

    @validator("result")
    def _clean(cls, value: str) -> str:
        return _text(value, limit=300)


class IdCardIn(ApiModel):
    """The citizen's name and ID number as read from their ID card."""

    name: str = Field(..., min_length=1, max_length=32)
    id_number: str

    @validator("id_number")
    def _id_number(cls, value: str) -> str:
        if not _ID_NUMBER.fullmatch(value):
            message = "身份证号应为18位，最后一位可以是X。"
            raise CodedError(code="id_number_invalid", message=message)
        return value


class CallbackDoneIn(ApiModel):
    """A call-back made."""

    outcome: str = "reached"

    @validator("outcome")
    def _outcome(cls, value: str) -> str:
        if value not in CALLBACK_OUTCOMES:
            message = "结果只能是 reached、no_answer 或 wrong_number。"
            raise CodedError(code="outcome_invalid", message=message)
        return value


class RevealIn(ApiModel):
    """Why personal data is shown in full (kept in the audit log; checked by the route, so
    that a refused reveal is audited too)."""

    why: str = Field("", max_length=1000)


class RouteIn(ApiModel):
    """The district a supervisor routes a handoff to."""

    district: str

    @validator("district")
    def _district(cls, value: str) -> str:
        district = " ".join(value.split())
        if not 1 <= len(district) <= MAX_NAME:
            raise CodedError(code="district_invalid", message="请填写区域名称（1到64个字）。")
        return district
