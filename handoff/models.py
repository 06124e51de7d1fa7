"""The handoff part's records and their states, as plain dataclasses and string enums."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Role(str, enum.Enum):
    """What a staff member may do: staff see their district, supervisors everything."""

    STAFF = "staff"
    SUPERVISOR = "supervisor"


class Status(str, enum.Enum):
    """A handoff's life: queued, being served by a person, finished."""

    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


class Reason(str, enum.Enum):
    """Why the conversation went to a person (DESIGN.md §2 triggers)."""

    REQUESTED = "requested"
    DTMF_0 = "dtmf_0"
    MISUNDERSTOOD = "misunderstood"
    SILENCE = "silence"
    PLATFORM_OUTAGE = "platform_outage"
    FRAUD_RISK = "fraud_risk"
    NEEDS_PERSON = "needs_person"
    STEP_IN = "step_in"


REASON_ZH: dict[Reason, str] = {
    Reason.REQUESTED: "市民要求转人工",
    Reason.DTMF_0: "电话按0转人工",
    Reason.MISUNDERSTOOD: "多次没听懂",
    Reason.SILENCE: "多次无应答",
    Reason.PLATFORM_OUTAGE: "办事平台故障",
    Reason.FRAUD_RISK: "疑似诈骗风险",
    Reason.NEEDS_PERSON: "事项需要人工办理",
    Reason.STEP_IN: "主管介入",
}


class Priority(str, enum.Enum):
    """``high`` goes ahead of the normal queue (fraud risk is always high)."""

    NORMAL = "normal"
    HIGH = "high"


class Outcome(str, enum.Enum):
    """How a handoff ended."""

    RETURNED_TO_BOT = "returned_to_bot"
    RESOLVED = "resolved"
    REFERRED = "referred"
    PROXY_CASE = "proxy_case"
    CALLBACK = "callback"
    CITIZEN_LEFT = "citizen_left"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"
    """The call was put through to a staff phone number (SIP REFER)."""


OUTCOME_ZH: dict[Outcome, str] = {
    Outcome.RETURNED_TO_BOT: "交还小助手",
    Outcome.RESOLVED: "已解决",
    Outcome.REFERRED: "已转办其他部门",
    Outcome.PROXY_CASE: "已转代办",
    Outcome.CALLBACK: "改为回电",
    Outcome.CITIZEN_LEFT: "市民已离开",
    Outcome.CANCELLED: "市民取消",
    Outcome.TRANSFERRED: "已转接人工电话",
}
CLOSE_OUTCOMES = (
    Outcome.RESOLVED,
    Outcome.REFERRED,
    Outcome.PROXY_CASE,
    Outcome.CITIZEN_LEFT,
)
"""Outcomes staff may choose when they close a handoff (the others are set by the system)."""


class CallbackState(str, enum.Enum):
    """The call-back conversation with a waiting citizen."""

    NONE = "none"
    OFFERED = "offered"
    ASKING_PHONE = "asking_phone"
    CONFIRMING = "confirming"
    DECLINED = "declined"
    ARRANGED = "arranged"


class ProxyStatus(str, enum.Enum):
    """A proxy case (代办): consent first, then the platform authorization, then the work."""

    AWAITING_CONSENT = "awaiting_consent"
    DECLINED = "declined"
    CONSENTED = "consented"
    AUTHORIZED = "authorized"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass
class Staff:
    """A staff account (never carries the password hash outside the store)."""

    id: int
    username: str
    display_name: str
    role: Role
    district: str
    active: bool = True

    @property
    def is_supervisor(self) -> bool:
        """Supervisors see and may do everything in every district."""
        return self.role is Role.SUPERVISOR

    def sees_district(self, district: str) -> bool:
        """Whether this person may see handoffs of ``district``: staff their own district's,
        supervisors every district's and the ones without a district (which they route)."""
        return self.is_supervisor or (bool(district) and district == self.district)

    def public(self) -> dict[str, Any]:
        """The account as the API shows it."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "district": self.district,
        }


@dataclass
class Session:
    """A logged-in console session."""

    staff: Staff
    token_hash: str
    csrf_token: str
    expires_at: datetime


@dataclass
class Handoff:
    """One conversation's stay with staff, from the request to the end."""

    id: str
    conversation_id: str
    status: Status
    reason: Reason
    priority: Priority
    channel: str
    created_at: datetime
    citizen_age: int | None = None
    district: str = ""
    detail: str = ""
    collected: dict[str, Any] = field(default_factory=dict)
    accessibility: dict[str, Any] = field(default_factory=dict)
    assigned_to: int | None = None
    claimed_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: Outcome | None = None
    summary: str | None = None
    callback_state: CallbackState = CallbackState.NONE
    callback_phone: str | None = None
    callback_offered_at: datetime | None = None
    last_notice_at: datetime | None = None
    last_position: int | None = None


@dataclass
class Callback:
    """A call-back task for staff: the citizen's confirmed phone number and when to call."""

    id: int
    handoff_id: str
    conversation_id: str
    phone: str
    district: str
    reason: str
    status: str
    created_at: datetime
    due_at: datetime
    done_at: datetime | None = None
    done_by: int | None = None
    outcome: str | None = None


@dataclass
class ProxyCase:
    """A proxy case (代办) with the citizen's recorded consent."""

    id: str
    handoff_id: str
    conversation_id: str
    service_code: str
    status: ProxyStatus
    staff_id: int
    created_at: datetime
    updated_at: datetime
    consent_prompt_seq: int | None = None
    consent_seq: int | None = None
    consent_method: str | None = None
    consent_text: str | None = None
    consent_at: datetime | None = None
    platform_authorization_id: str | None = None
    platform_note: str | None = None
    result: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
