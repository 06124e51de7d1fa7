"""When and where for appointments: days and times as older people say them (今天, 下礼拜三,
十二月三号, 上午九点), places as they name them (平江, 大厅, 第一个), and the request that
started the booking. Pure helpers of :mod:`actions.services.appointments`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import cn2an

from actions.services.base import Turn

SERVICE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("senior_card", ("老年卡", "敬老卡", "老人卡", "优待证", "老年证")),
    ("elderly_allowance", ("高龄津贴", "尊老金", "高龄补贴", "津贴")),
    ("hukou_transfer", ("户口", "落户", "迁户")),
    ("pension_certification", ("认证", "养老金", "退休金")),
    ("social_assistance", ("低保", "救助", "困难补助")),
    ("medical_insurance_query", ("医保", "报销")),
    ("e_certificate", ("证照", "电子证", "驾驶证", "驾照", "身份证", "换证")),
)
"""Words people use for each bookable service, most specific first."""

_HOME_WORDS = ("上门", "到家", "来家", "家里", "屋里")
HALL_WORDS = ("大厅", "政务服务中心", "政务中心", "服务中心")
COMMUNITY_WORDS = ("代办点", "社区")
ADDRESS_MARKS = ("号", "弄", "室", "栋", "幢", "村", "组", "单元")
MIN_ADDRESS_CHARS = 6

_NUM = r"[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3}"
_ISO = re.compile(r"(20[0-9]{2})-([0-9]{1,2})-([0-9]{1,2})")
_MONTH_DAY = re.compile(rf"(?:(20[0-9]{{2}})年)?({_NUM})月({_NUM})(?:号|日)?")
_DAY_ONLY = re.compile(rf"({_NUM})(?:号|日)")
_WEEKDAY = re.compile(r"(下下|下|这|本)?个?(?:周|星期|礼拜|週)([一二三四五六日天七1-7])")
_RELATIVE = (("大后天", 3), ("后天", 2), ("明天", 1), ("明日", 1), ("明儿", 1), ("今天", 0),
             ("今日", 0), ("今儿", 0))  # fmt: skip
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_CLOCK = re.compile(
    rf"(上午|早上|早晨|中午|下午|晚上)?\s*({_NUM})\s*(?:点|:|：)\s*(半|[0-9]{{2}})?"
)
ORDINALS = (("第一", 0), ("第二", 1), ("第三", 2), ("头一个", 0))


# -- parsing what people say ---------------------------------------------------------------


def example_day(today: date) -> str:
    """A day a week from ``today`` as people say it (``12月12号``), for the help texts."""
    day = today + timedelta(days=7)
    return f"{day.month}月{day.day}号"


def cn_number(text: str) -> int | None:
    """A small number said in digits or Chinese numerals (3, 十二, 二十三, 十2) or None."""
    try:
        value = cn2an.cn2an(text, "smart")
    except ValueError:
        return None
    return int(value) if value == int(value) and 0 <= value < 100 else None


def parse_day(text: Any, today: date) -> date | None:
    """The day meant by 今天/明天/后天, 下周三, 12月3号, 十二月三号, 3号 or 2026-12-03."""
    if not isinstance(text, str) or not text:
        return None
    said = text.replace(" ", "")
    iso = _ISO.search(said)
    if iso:
        return _date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    for word, offset in _RELATIVE:
        if word in said:
            return today + timedelta(days=offset)
    weekday = _WEEKDAY.search(said)
    if weekday:
        return _weekday(weekday.group(1), weekday.group(2), today)
    month_day = _MONTH_DAY.search(said)
    if month_day:
        year_said, month_said, day_said = month_day.groups()
        month, day_of_month = cn_number(month_said), cn_number(day_said)
        if month is None or day_of_month is None:
            return None
        if year_said:
            return _date(int(year_said), month, day_of_month)
        return _next(today, today.year, month, day_of_month, 12)
    day_only = _DAY_ONLY.search(said)
    if day_only:
        day_of_month = cn_number(day_only.group(1))
        if day_of_month is None:
            return None
        return _next(today, today.year, today.month, day_of_month, 1)
    return None


def _weekday(which: str | None, name: str, today: date) -> date:
    """周三 (the coming one), 这周三, 下周三, 下下周三."""
    target = int(name) - 1 if name.isdigit() else _WEEKDAYS[name]
    monday = today - timedelta(days=today.weekday())
    weeks = {"下下": 2, "下": 1}.get(which or "", 0)
    found = monday + timedelta(days=7 * weeks + target)
    if which is None and found < today:
        found += timedelta(days=7)
    return found


def _next(today: date, year: int, month: int, day_of_month: int, step: int) -> date | None:
    """The date, or when it is past, the same date ``step`` months (12: a year) later."""
    found = _date(year, month, day_of_month)
    if found is None or found >= today:
        return found
    months = year * 12 + month - 1 + step
    return _date(months // 12, months % 12 + 1, day_of_month)


def _date(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None


def clock_in(text: Any) -> tuple[int, int] | None:
    """The time of day said (上午9点, 下午两点, 2点半, 14:00) as (hour 0–23, minute), or None.

    A bare 1–7 点 is afternoon: offices open 8:30–17:00."""
    if not isinstance(text, str):
        return None
    match = _CLOCK.search(text.replace(" ", ""))
    if match is None:
        return None
    period, hour_said, minute_said = match.groups()
    hour = cn_number(hour_said)
    if hour is None or hour > 23:
        return None
    minute = 30 if minute_said == "半" else int(minute_said or 0)
    if (period in ("下午", "晚上") and hour < 12) or (period is None and 1 <= hour <= 7):
        hour += 12
    return hour, minute


def clock_label(iso: str) -> str:
    """ "上午9点", "下午2点半" for the time of an ISO date-time."""
    hour, minute = int(iso[11:13]), int(iso[14:16])
    period = "上午" if hour < 12 else ("中午" if hour == 12 else "下午")
    shown = hour if hour <= 12 else hour - 12
    rest = "" if minute == 0 else ("半" if minute == 30 else f"{minute}分")
    return f"{period}{shown}点{rest}"


def span_label(start: str, end: str) -> str:
    """ "上午9点到10点": a slot's start and end."""
    return f"{clock_label(start)}到{clock_label(end)[2:]}"


def service_in(text: Any) -> str | None:
    """The bookable service named in ``text`` (a code), or None."""
    said = str(text or "")
    for code, words in SERVICE_WORDS:
        if code == said or any(word in said for word in words):
            return code
    return None


def wants_home_visit(text: Any) -> bool:
    """Whether ``text`` asks for staff to come home ("上门")."""
    return any(word in str(text or "") for word in _HOME_WORDS)


@dataclass(frozen=True)
class Place:
    """An agency point as kept in the slots (a dict there)."""

    point_id: str
    name: str
    address: str
    kind: str

    def as_slot(self) -> dict[str, str]:
        return {
            "point_id": self.point_id,
            "name": self.name,
            "address": self.address,
            "kind": self.kind,
        }

    @classmethod
    def from_slot(cls, value: Any) -> Place | None:
        if not isinstance(value, dict) or "point_id" not in value:
            return None
        return cls(
            str(value["point_id"]),
            str(value.get("name", "")),
            str(value.get("address", "")),
            str(value.get("kind", "")),
        )


def _core(name: str) -> str:
    """The part of a point's name people say: 平江 of 平江街道党群服务中心代办点."""
    for suffix in ("党群服务中心代办点", "政务服务中心", "街道", "镇", "区"):
        name = name.removesuffix(suffix)
    return name


def match_place(
    text: Any, places: list[Place], *, generic: bool = True, ordinals: bool = True
) -> Place | None:
    """The place ``text`` names among ``places``: its name, its distinctive part (平江), or
    (``generic``) 大厅 for the hall, 代办点 when there is one community point, 第一个 …."""
    said = str(text or "").replace(" ", "")
    if not said:
        return None
    community_said = any(word in said for word in COMMUNITY_WORDS)
    for place in places:
        core = _core(place.name)
        if place.name in said or (len(said) >= 4 and said in place.name):
            return place
        if core and core in said and not (place.kind == "hall" and community_said):
            return place
    if not generic:
        return None
    for word, index in ORDINALS if ordinals else ():
        if word in said and index < len(places):
            return places[index]
    halls = [p for p in places if p.kind == "hall"]
    community = [p for p in places if p.kind != "hall"]
    if any(word in said for word in HALL_WORDS) and not community_said and len(halls) == 1:
        return halls[0]
    if community_said and len(community) == 1:
        return community[0]
    return None


def request_event(turn: Turn, intent: str) -> dict[str, Any] | None:
    """The user's message that started the current service with ``intent`` ("我想预约办老年卡"),
    or None when it was started otherwise (by "对" to an offer)."""
    for event in reversed(turn.tracker.events):
        if event.get("event") == "user":
            parsed = event.get("parse_data") or {}
            if (parsed.get("intent") or {}).get("name") == intent:
                return event
        elif _ends_a_service(event):
            return None
    return None


def _ends_a_service(event: dict[str, Any]) -> bool:
    """Whether ``event`` clears the ``service`` slot (an earlier service ended)."""
    return (
        event.get("event") == "slot" and event.get("name") == "service" and not event.get("value")
    )


def event_entity(event: dict[str, Any], name: str) -> str | None:
    """The value of entity ``name`` in a user event."""
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return str(entity["value"])
    return None
