"""Working hours of the agency point: parsed from the settings, asked "open now?" and "when next?".

Format: rules separated by ``;``, each ``DAYS RANGES`` where DAYS is ``1-5`` or ``1,3,6`` or
``6`` (1 = Monday … 7 = Sunday) and RANGES is ``08:30-12:00,13:30-17:30`` (``24:00`` allowed as
an end). Example: ``1-5 08:30-17:30; 6 09:00-12:00``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAY_NAMES = "一二三四五六日"
_RULE = re.compile(r"^\s*([1-7](?:\s*[-,]\s*[1-7])*)\s+(.+?)\s*$")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """The working hours setting cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Span:
    """One open period of a weekday, in minutes after midnight (end exclusive)."""

    weekday: int
    start_min: int
    end_min: int


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.replace(" ", "").split(","):
        if "-" in part:
            first, last = (int(x) for x in part.split("-"))
            if first > last:
                raise HoursError(f"day range {part} runs backwards")
            days.extend(range(first, last + 1))
        else:
            days.append(int(part))
    return days


def _minutes(hours: str, minutes: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        raise HoursError(f"{hours}:{minutes} is not a time of day")
    return value


class WorkingHours:
    """Open periods per weekday in one time zone."""

    def __init__(self, spec: str, timezone: str = "Asia/Shanghai") -> None:
        self.spec = spec
        self.zone = ZoneInfo(timezone)
        self.spans: list[Span] = []
        for rule in filter(str.strip, spec.split(";")):
            match = _RULE.fullmatch(rule)
            if not match:
                raise HoursError(
                    f"cannot read working hours rule {rule!r}; use e.g. 1-5 08:30-17:30"
                )
            for piece in match.group(2).split(","):
                found = _RANGE.fullmatch(piece)
                if not found:
                    raise HoursError(f"cannot read time range {piece!r}; use e.g. 08:30-17:30")
                start = _minutes(found.group(1), found.group(2))
                end = _minutes(found.group(3), found.group(4))
                if end <= start:
                    raise HoursError(f"time range {piece.strip()} ends before it starts")
                for day in _days(match.group(1)):
                    self.spans.append(Span(day, start, end))
        if not self.spans:
            raise HoursError("working hours are empty; set at least one rule, e.g. 1-5 08:30-17:30")

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls inside working hours."""
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(
            s.weekday == local.isoweekday() and s.start_min <= minute < s.end_min
            for s in self.spans
        )

    def next_open(self, moment: datetime) -> datetime:
        """The next start of working hours after ``moment`` (``moment`` itself if open)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            starts = sorted(s.start_min for s in self.spans if s.weekday == day.isoweekday())
            for start in starts:
                candidate = datetime.combine(day, time(start // 60, start % 60), tzinfo=self.zone)
                if candidate > local:
                    return candidate
        raise HoursError("no opening in the coming week")  # pragma: no cover - spans not empty

    def describe(self) -> str:
        """The hours in plain Chinese for citizens: "周一至周五 8:30-17:30"."""
        by_ranges: dict[tuple[tuple[int, int], ...], list[int]] = {}
        for day in range(1, 8):
            ranges = tuple(sorted((s.start_min, s.end_min) for s in self.spans if s.weekday == day))
            if ranges:
                by_ranges.setdefault(ranges, []).append(day)
        parts = []
        for ranges, days in by_ranges.items():
            names = (
                f"周{_DAY_NAMES[days[0] - 1]}至周{_DAY_NAMES[days[-1] - 1]}"
                if len(days) > 1 and days == list(range(days[0], days[-1] + 1))
                else "、".join(f"周{_DAY_NAMES[d - 1]}" for d in days)
            )
            times = "、".join(f"{_clock(a)}-{_clock(b)}" for a, b in ranges)
            parts.append(f"{names} {times}")
        return "；".join(parts)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def describe_moment(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """A time for citizens relative to now: "今天14:00", "明天8:30", "周一8:30"."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local.hour}:{local.minute:02d}"
    days = (local.date() - today).days
    if days == 0:
        return f"今天{clock}"
    if days == 1:
        return f"明天{clock}"
    return f"周{_DAY_NAMES[local.isoweekday() - 1]}{clock}"
