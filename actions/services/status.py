"""办件进度查询: the status of an application in plain words, its latest step and what next.

Question: the application number (SQ and 14 digits; "SQ" may be left out, digits may be said
one by one). The number alone is enough on the platform, so no identity is needed. A person
who does not remember it ("不记得编号") verifies their identity instead (the shared identity
questions, asked only on this path) and hears their latest applications (at most three); so
does a person verified already who says "对" when another service offers a progress check
(the number is not asked for). An application waiting for materials ends with the offer of an
appointment for its service.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.confirmation import offer
from actions.services.base import Service, Turn, day, says_forgotten
from platform_client import PlatformError
from platform_client.results import Application, ApplicationSummary
from zhtext.numbers import normalize_spoken_digits

MINE = "mine"
"""``status_mode`` when the person looks up their own applications after verifying."""
LISTED = 3
"""At most this many applications are read out."""

_NUMBER = re.compile(r"(?:SQ)?(?<!\d)(\d{14})(?!\d)")

_MISSING = re.compile(r"还缺([^，。]+)")
SERVICE_NAMES = {
    "elderly_allowance": "高龄津贴申请",
    "senior_card": "敬老卡申请",
    "social_assistance": "救助申请",
    "hukou_transfer": "户口迁移申请",
}
STATUS_WORDS = {
    "submitted": "已经提交，在等受理",
    "reviewing": "正在审核",
    "approved": "已经审核通过了",
    "rejected": "没有通过",
    "needs_info": "还要补交材料",
}
NEXT_STEPS = {
    "submitted": "一般几个工作日内受理，请耐心等。",
    "reviewing": "审核完会发短信告诉您，请耐心等。",
    "approved": "后面的事会短信通知您，按短信去办。",
    "rejected": "想问原因，请说“转人工”。",
    "needs_info": "请带上材料，到社区代办点补交。",
}


def extract_application_number(text: Any) -> str | None:
    """The application number (SQ + 14 digits) in what was said or typed, or None."""
    if not isinstance(text, str):
        return None
    said = normalize_spoken_digits(text).upper().replace(" ", "")
    match = _NUMBER.search(said)
    return f"SQ{match.group(1)}" if match else None


def forgot_number(text: Any) -> bool:
    """Whether the person says they do not have the number."""
    return says_forgotten(text) or any(word in str(text or "") for word in ("没有编号", "没编号"))


APPLIED_FOR = ("津贴", "补贴", "尊老金", "敬老卡", "老年卡", "优待证", "低保", "救助", "户口")
"""Words that name what an application was for."""


def names_an_application(text: Any) -> bool:
    """Whether the person names their application by what it was for ("我申请的高龄补贴")."""
    return any(word in str(text or "") for word in APPLIED_FOR)


def service_name(code: str) -> str:
    """An application's service as said to the citizen."""
    return SERVICE_NAMES.get(code, "申请")


class ApplicationStatus(Service):
    code = "application_status"
    intent = "query_application_status"
    title = "查办件进度"
    requires_identity = False
    asked = ("status_application_number",)
    kept = ("status_mode", "status_service", "status_state", "status_note", "status_note_at")

    def steps(self, turn: Turn) -> list[str]:
        if turn.slot("status_mode") == MINE:
            from actions import identity

            return identity.identity_steps(turn, _IDENTIFIED)
        return ["status_application_number"]

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        """A number in the request ("查一下SQ2026…") is looked up at once; a verified person
        who accepted an offered progress check hears their own applications."""
        if turn.slot("status_mode") == MINE:
            return {}
        if turn.latest_intent() != self.intent and turn.slot("citizen_verified"):
            return {"status_mode": MINE}
        if forgot_number(turn.latest_text()):
            # "编号我也记不住" in the request itself: no need to ask for it first.
            turn.say("没关系，核对身份后，我帮您查您的申请。")
            return {"status_mode": MINE}
        number = extract_application_number(turn.latest_text()) or turn.entity("application_number")
        if number is None and names_an_application(turn.latest_text()):
            # "我申请的高龄补贴还没个信": the application is known by what it was for, not by
            # its number; the person's own applications are found after verifying.
            turn.say("好的，帮您查申请进度。")
            return {"status_mode": MINE}
        if number is None:
            return {}
        return await self._look_up(extract_application_number(number) or number, turn)

    async def answered_otherwise(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        """Asked for the ID on the way to the person's own applications, they read out the
        application's number instead: it is looked up, and no identity is needed."""
        number = extract_application_number(turn.latest_text())
        if turn.slot("status_mode") != MINE or number is None:
            return None
        found = await self._look_up(number, turn)
        if found.get("status_application_number") is None:
            return {slot: None}
        return {**found, slot: None, "status_mode": None}

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "status_application_number":
            intro = "" if turn.slot("field_failures") else "好的，帮您查办件进度。"
            turn.say(f"{intro}请说办件编号。")
            turn.say("编号在申请时收到的短信里，是SQ加14位数字。")
            turn.say("不记得编号，可以说“不记得编号”。", (("不记得编号", "不记得编号"),))

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot != "status_application_number":
            return None
        number = extract_application_number(turn.entity("application_number") or value)
        if number is None and forgot_number(value):
            turn.say("没关系，核对身份后，我帮您查您的申请。")
            return {"status_application_number": None, "status_mode": MINE}
        if number is None:
            turn.reject("办件编号是SQ加14位数字。请一位一位慢慢说。")
            return {"status_application_number": None}
        return await self._look_up(number, turn)

    async def _look_up(self, number: str, turn: Turn) -> dict[str, Any]:
        try:
            application = await turn.platform.application(number)
        except PlatformError as error:
            turn.explain(error)
            if error.code == "application_not_found":
                turn.failed = True
            return {"status_application_number": None}
        return {"status_application_number": number, **_slots_of(application)}

    async def complete(self, turn: Turn) -> list[EventType]:
        if turn.slot("status_mode") == MINE:
            return await self._mine(turn)
        state = str(turn.slot("status_state"))
        turn.say(f"查到了，是{service_name(str(turn.slot('status_service')))}。")
        turn.say(f"现在{STATUS_WORDS.get(state, '正在办理')}。")
        note = turn.slot("status_note")
        if note:
            turn.say(f"最新进展：{day(str(turn.slot('status_note_at')))}，{note}。")
        missing = _MISSING.search(str(note or "")) if state == "needs_info" else None
        if missing:
            turn.say(f"请带上{missing.group(1)}，到社区代办点补交。")
        else:
            turn.say(NEXT_STEPS.get(state, "有疑问可以说“转人工”。"))
        if state == "needs_info":
            turn.say("要帮您预约去补材料吗？")
            # The appointment is for the application's service: "办什么事" is not asked again.
            return [offer("appointment"), SlotSet("appointment_for", turn.slot("status_service"))]
        return []

    async def _mine(self, turn: Turn) -> list[EventType]:
        try:
            applications = await turn.platform.applications(citizen=await turn.auth())
        except PlatformError as error:
            turn.explain(error)
            return []
        if not applications:
            turn.say("没有查到您在网上提交的申请。")
            turn.say("如果是在窗口办的，请说“转人工”。")
            return []
        latest = applications[:LISTED]
        turn.say(f"查到您最近的{len(latest)}件申请。")
        for index, summary in enumerate(latest, start=1):
            for text in _listed(index, summary):
                turn.say(text)
        turn.say("想听哪件的详细进度，请再说“查办件”和编号。")
        return []


class _Identified(ApplicationStatus):
    """The same service when the person looks up their own applications: the shared identity
    questions come first (they depend only on ``requires_identity`` and ``proxy_allowed``)."""

    requires_identity = True


_IDENTIFIED = _Identified()


def _slots_of(application: Application) -> dict[str, Any]:
    """The kept slots that say an application's state."""
    latest = application.timeline[-1] if application.timeline else None
    return {
        "status_service": application.service_code,
        "status_state": application.status,
        "status_note": latest.note if latest else None,
        "status_note_at": latest.at if latest else None,
    }


def _listed(index: int, summary: ApplicationSummary) -> tuple[str, str]:
    """One application of the list: what and when, its state, its number."""
    return (
        f"第{index}件，{service_name(summary.service_code)}，{day(summary.submitted_at)}提交，"
        f"{STATUS_WORDS.get(summary.status, '正在办理')}。",
        f"编号 {summary.application_number}。",
    )


SERVICES = (ApplicationStatus,)
