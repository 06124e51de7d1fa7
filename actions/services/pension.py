"""养老金: the yearly eligibility check (认证) and what was paid (发放查询).

Both need the pensioner's identity (or a family member with their consent). The check first
looks up where the person stands: done this year → say so and stop; due or overdue → offer
three ways (face at the kiosk or phone, video, a visit at home; an agency point by voice).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType

from actions.services.base import Service, Turn, day
from platform_client import PlatformError
from zhtext import spoken as said
from zhtext.numbers import format_amount
from zhtext.speakable import spoken

METHODS = {
    "kiosk_face": ("刷脸", "人脸", "脸", "拍照"),
    "video": ("视频",),
    "home_visit": ("上门", "到家", "来家", "家里"),
    "agency_point": ("代办点", "社区", "大厅", "窗口"),
}
METHOD_NAMES = {
    "kiosk_face": "刷脸认证",
    "video": "视频认证",
    "home_visit": "上门认证",
    "agency_point": "到代办点认证",
}
PAYMENT_MONTHS = 3


def method_in(text: str) -> str | None:
    """The certification method a person asked for, or None."""
    for method, words in METHODS.items():
        if any(word in text for word in words):
            return method
    return None


class PensionCertification(Service):
    code = "pension_certification"
    intent = "pension_certification"
    title = "养老金认证"
    asked = ("certification_method",)
    kept = ("certification_due", "certification_methods")

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        try:
            state = await turn.platform.pension_certification(citizen=await turn.auth())
        except PlatformError as error:
            turn.explain(error)
            return {"service_done": True}
        if state.status == "done":
            turn.say("今年的认证已经做过了，不用再做。")
            turn.say(f"下次请在 {day(state.due_date)} 前认证。")
            return {"service_done": True}
        if state.status == "overdue":
            turn.say(f"今年的认证已经过期了，截止日是 {day(state.due_date)}。")
        else:
            turn.say(f"今年的认证要在 {day(state.due_date)} 前做。")
        return {
            "certification_due": state.due_date,
            "certification_methods": list(state.methods),
        }

    async def ask(self, slot: str, turn: Turn) -> None:
        if turn.channel == "kiosk":
            turn.say(
                "您想怎么认证：刷脸、视频，还是请人上门？",
                (("刷脸认证", "刷脸"), ("视频认证", "视频"), ("请人上门", "上门")),
            )
            return
        # Only the kiosk has a camera that can take a face.
        turn.say("刷脸认证要到社区的自助机上做。")
        turn.say(
            "在这里可以视频认证或请人上门，您想怎么认证？",
            (("视频认证", "视频"), ("请人上门", "上门")),
        )

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot != "certification_method":
            return None
        method = method_in(str(value))
        allowed = turn.slot("certification_methods") or list(METHODS)
        if method == "kiosk_face" and turn.channel != "kiosk":
            turn.reject("刷脸要到社区的自助机上做。在这里请说视频，或者上门。")
            return {"certification_method": None}
        if method is None or method not in allowed:
            turn.reject(
                "请说刷脸、视频，或者上门。" if turn.channel == "kiosk" else "请说视频，或者上门。"
            )
            return {"certification_method": None}
        return {"certification_method": method}

    async def complete(self, turn: Turn) -> list[EventType]:
        method = str(turn.slot("certification_method"))
        try:
            record = await turn.platform.certify_pension(
                citizen=await turn.auth(),
                method=method,
                idempotency_key=turn.idempotency_key(method),
            )
        except PlatformError as error:
            turn.explain(error)
            return []
        if record.status == "scheduled":
            where = "上门" if method == "home_visit" else "到代办点"
            turn.say(f"已经为您安排{where}认证，工作人员会先打电话。")
        else:
            turn.say(f"{METHOD_NAMES.get(method, '认证')}完成了，养老金照常发。")
        if not said.is_internal_id(record.record_id):
            turn.say(spoken("记录号 ", said.code(record.record_id), "。"))
        turn.say(f"下次请在 {day(record.next_due_date)} 前认证。")
        return []


class PensionQuery(Service):
    code = "pension_query"
    intent = "query_pension"
    title = "查养老金"

    async def complete(self, turn: Turn) -> list[EventType]:
        try:
            payments = await turn.platform.pension_payments(
                citizen=await turn.auth(), months=PAYMENT_MONTHS
            )
        except PlatformError as error:
            turn.explain(error)
            return []
        if not payments:
            turn.say("最近三个月没有查到发放记录。")
            turn.say("有疑问可以说“转人工”。")
            return []
        latest, *earlier = sorted(payments, key=lambda p: p.month, reverse=True)
        turn.say(f"{_month(latest.month)}的养老金 {format_amount(latest.amount)} 元。")
        turn.say(spoken(f"{day(latest.paid_on)} 发到 ", said.masked(latest.bank_masked), "。"))
        if earlier:
            amounts = "、".join(f"{format_amount(p.amount)} 元" for p in earlier)
            turn.say(f"再往前{len(earlier)}个月是：{amounts}。")
        return []


def _month(month: str) -> str:
    """2026-11 → 2026年11月."""
    return f"{month[:4]}年{int(month[5:7])}月" if len(month) >= 7 else month


SERVICES = (PensionCertification, PensionQuery)
