"""投诉建议 (12345): take down what happened, where, and a phone for the reply; open a ticket.

Questions: what happened (at least five characters; a request that already tells it is taken as
it is) → where (optional: "不说地点") → a phone for the reply (optional: "不留"; read back 3-4-4
and confirmed) → a short summary to confirm. No identity is needed. The category is a
suggestion when the person speaks of 建议 or 意见 (and not of 投诉), else a complaint.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType

from actions.services.base import Service, Turn, clean_answer, yes_no, yes_or_no
from platform_client import PlatformError
from zhtext import spoken as said
from zhtext.numbers import corrected_digits, normalize_spoken_digits
from zhtext.speakable import spoken

MIN_CONTENT = 5
"""The platform takes 5 to 2000 characters of content."""
MAX_CONTENT = 2000
MAX_LOCATION = 120
SUMMARY_CHARS = 26
"""How much of the content the summary reads back."""
SKIPPED = "none"
"""The value of an optional answer the person chose not to give."""
REPLY_DAYS = "3到5个工作日"

_GENERIC = re.compile(
    r"我要|我想|我有|想要|帮我|给我|投诉|举报|反映|反应|建议|意见|提个|提点|提提|一下|"
    r"个问题|问题|打?12345|市民热线|热线|怎么|给政府|你们|那个|就是|记下来|记一下"
)
_NOISE = re.compile(r"[\s，。！？、,.!?；;：:“”\"'…]+")
_SKIP_LOCATION = ("不说", "不用", "不知道", "跳过", "没有", "算了", "不讲")
_NO_PHONE = ("不留", "不用", "不要", "没有", "算了", "不想")
_WRONG = ("不对", "错", "不是")
_STOP = ("不提交", "不要了", "算了", "不投诉", "不用了", "不办")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def substance(text: Any) -> str:
    """What is left of ``text`` once the words of asking to complain are taken out
    ("我要投诉窗口态度差" → "窗口态度差")."""
    return _GENERIC.sub("", _NOISE.sub("", str(text or "")))


def tells_what_happened(text: Any) -> bool:
    """Whether a request already says what happened, at some length."""
    return len(substance(text)) >= 6


def category_of(*texts: Any) -> str:
    """``suggestion`` when 建议/意见 is said and 投诉 is not, else ``complaint``."""
    said = "".join(str(text or "") for text in texts)
    if ("建议" in said or "意见" in said) and "投诉" not in said:
        return "suggestion"
    return "complaint"


def find_phone(text: Any) -> str | None:
    """An 11-digit mobile number in what was said or typed, or None."""
    said = normalize_spoken_digits(str(text or "")).replace(" ", "")
    match = _PHONE.search(corrected_digits(said))
    return match.group(0) if match else None


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The start of ``text`` for a read-back ("小区门口的路灯坏了一个多月…"): whole phrases
    while they fit, cut inside a phrase only when the first one is too long."""
    flat = _NOISE.sub("，", text).strip("，")
    if len(flat) <= limit:
        return flat
    kept = ""
    for phrase in flat.split("，"):
        longer = f"{kept}，{phrase}" if kept else phrase
        if len(longer) > limit:
            break
        kept = longer
    return (kept or flat[:limit]) + "…"


class Complaint(Service):
    code = "complaint"
    intent = "file_complaint"
    title = "投诉建议"
    requires_identity = False
    asked = (
        "complaint_content",
        "complaint_location",
        "complaint_phone",
        "complaint_phone_confirmed",
        "complaint_confirmed",
    )
    kept = ("complaint_category",)

    def steps(self, turn: Turn) -> list[str]:
        steps = ["complaint_content", "complaint_location", "complaint_phone"]
        if turn.slot("complaint_phone") != SKIPPED:
            steps.append("complaint_phone_confirmed")
        return [*steps, "complaint_confirmed"]

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        """A request that tells what happened ("小区路灯坏了没人修") is the content."""
        request = turn.latest_text()
        updates: dict[str, Any] = {"complaint_category": category_of(request)}
        if tells_what_happened(request):
            updates["complaint_content"] = clean_answer(request)[:MAX_CONTENT]
            district = turn.entity("district")
            if district:
                updates["complaint_location"] = district
        return updates

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "complaint_content":
            word = "建议" if turn.slot("complaint_category") == "suggestion" else "事情"
            turn.say(f"好的，我帮您记下来，转给12345热线。请说说您的{word}。")
        elif slot == "complaint_location":
            turn.say("这件事在什么地方？不想说可以说“不说地点”。", (("不说地点", "不说地点"),))
        elif slot == "complaint_phone":
            turn.say(
                "请说一个手机号，方便给您回复。不想留请说“不留”。",
                (("不留电话", "不留"),),
                expect="phone",
            )
        elif slot == "complaint_phone_confirmed":
            number = said.phone(str(turn.slot("complaint_phone")))
            turn.say(spoken("手机号是 ", number, "，对吗？"), yes_no())
        elif slot == "complaint_confirmed":
            self._summary(turn)
            turn.say("这样提交吗？", yes_no("对，提交", "不对"))

    @staticmethod
    def _summary(turn: Turn) -> None:
        kind = "建议" if turn.slot("complaint_category") == "suggestion" else "投诉"
        turn.say(f"我记下了您的{kind}：{shorten(str(turn.slot('complaint_content')))}。")
        location = str(turn.slot("complaint_location") or SKIPPED)
        if location != SKIPPED:
            turn.say(f"地点：{shorten(location)}。")
        phone = str(turn.slot("complaint_phone") or SKIPPED)
        turn.say(
            "不留电话。" if phone == SKIPPED else spoken("回复电话：", said.phone(phone), "。")
        )

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "complaint_content":
            return self._content(value, turn)
        if slot == "complaint_location":
            return self._location(value, turn)
        if slot == "complaint_phone":
            return self._phone(value, turn)
        if slot == "complaint_phone_confirmed":
            return self._phone_confirmed(value, turn)
        if slot == "complaint_confirmed":
            return self._confirmed(value, turn)
        return None

    @staticmethod
    def _content(value: Any, turn: Turn) -> dict[str, Any]:
        content = clean_answer(value)
        if len(_NOISE.sub("", content)) < MIN_CONTENT or len(substance(content)) < 2:
            turn.reject("请把事情说详细一点，至少五个字。")
            return {"complaint_content": None}
        category = turn.slot("complaint_category")
        if category != "suggestion":
            category = category_of(content)
        return {"complaint_content": content[:MAX_CONTENT], "complaint_category": category}

    @staticmethod
    def _location(value: Any, turn: Turn) -> dict[str, Any]:
        text = clean_answer(value)
        district = turn.entity("district")
        if any(word in text for word in _SKIP_LOCATION) and not district:
            return {"complaint_location": SKIPPED}
        if len(_NOISE.sub("", text)) < 2:
            turn.reject("没有听清地点。请说在哪里，比如哪个小区、哪条路。")
            return {"complaint_location": None}
        if district and district not in text:
            text = f"{district} {text}"
        return {"complaint_location": text[:MAX_LOCATION]}

    @staticmethod
    def _phone(value: Any, turn: Turn) -> dict[str, Any]:
        phone = find_phone(turn.latest_text()) or turn.entity("phone_number") or find_phone(value)
        if phone is None and any(word in str(value) for word in _NO_PHONE):
            return {"complaint_phone": SKIPPED, "complaint_phone_confirmed": None}
        if phone is None:
            turn.reject("手机号是11位，1开头。请一位一位慢慢说。")
            return {"complaint_phone": None}
        return {"complaint_phone": phone, "complaint_phone_confirmed": None}

    @staticmethod
    def _phone_confirmed(value: Any, turn: Turn) -> dict[str, Any]:
        value = yes_or_no(value, turn.latest_text())
        if value is True:
            return {"complaint_phone_confirmed": True}
        corrected = find_phone(turn.latest_text())
        if corrected:
            return {"complaint_phone": corrected, "complaint_phone_confirmed": None}
        if value is False:
            turn.say("好的，我们重新说手机号。")
            return {"complaint_phone": None, "complaint_phone_confirmed": None}
        turn.reject("请说“对”或者“不对”。")
        return {"complaint_phone_confirmed": None}

    @staticmethod
    def _confirmed(value: Any, turn: Turn) -> dict[str, Any]:
        text = turn.latest_text()
        if any(word in text for word in _STOP):
            turn.say("好的，没有提交。还有别的事要办吗？")
            return {"complaint_confirmed": False, "service_done": True}
        value = yes_or_no(value, text)
        if value is True:
            return {"complaint_confirmed": True}
        if value is False or any(word in text for word in _WRONG):
            turn.say("好的，我们重新说一遍。")
            return {
                "complaint_content": None,
                "complaint_location": None,
                "complaint_phone": None,
                "complaint_phone_confirmed": None,
                "complaint_confirmed": None,
            }
        if "提交" in text and "不" not in text:
            return {"complaint_confirmed": True}
        turn.reject("请说“对”或者“不对”。")
        return {"complaint_confirmed": None}

    async def complete(self, turn: Turn) -> list[EventType]:
        content = str(turn.slot("complaint_content"))
        location = str(turn.slot("complaint_location") or SKIPPED)
        phone = str(turn.slot("complaint_phone") or SKIPPED)
        category = str(turn.slot("complaint_category") or "complaint")
        try:
            ticket = await turn.platform.file_complaint(
                category=category,
                content=content,
                location=None if location == SKIPPED else location,
                contact_phone=None if phone == SKIPPED else phone,
                idempotency_key=turn.idempotency_key(category, content, location, phone),
            )
        except PlatformError as error:
            turn.explain(error)
            return []
        turn.say("已经转给12345热线了。")
        turn.say(spoken("工单号是 ", said.code(ticket), "。"))
        if phone == SKIPPED:
            turn.say(f"{REPLY_DAYS}内会有处理结果。")
            turn.say("想问结果，请打12345，报工单号。")
        else:
            turn.say(f"{REPLY_DAYS}内，工作人员会打电话回复您。")
        return []


SERVICES = (Complaint,)
