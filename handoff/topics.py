"""What a citizen came about, in words staff read at a glance: the service they were in and
the last thing they said (masked, shortened)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conversation.masking import mask_text

SERVICES: dict[str, str] = {
    "hukou_transfer": "户口迁移",
    "elderly_allowance": "高龄津贴申请",
    "senior_card": "老年卡办理",
    "social_assistance": "社会救助申请",
    "pension_certification": "养老金资格认证",
    "appointment": "预约办事",
    "utility_payment": "水电燃气缴费",
    "education_fee": "教育缴费",
    "complaint": "投诉建议",
    "medical_insurance_query": "医保查询",
    "pension_query": "养老金查询",
    "application_status": "办件进度查询",
}
"""The platform's services by code, as staff name them."""

OTHER_SERVICES: dict[str, str] = {"e_certificate": "电子证照"}
"""Services the bot does that staff cannot do as a proxy case."""

SAID_LIMIT = 60
"""How much of the citizen's last message a queue row shows."""


def service_name(collected: Mapping[str, Any]) -> str:
    """The service the citizen was in (the bot's ``service`` slot), or "" if none."""
    code = str(collected.get("service") or "")
    return SERVICES.get(code) or OTHER_SERVICES.get(code) or ""


def said(text: str | None) -> str:
    """A citizen's message for a queue row: personal data masked first, then shortened."""
    if not text:
        return ""
    masked = " ".join(mask_text(text).split())
    return masked if len(masked) <= SAID_LIMIT else masked[: SAID_LIMIT - 1] + "…"
