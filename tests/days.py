"""The calendar of the tests: the day the started processes work on, and days as people say
and the bot writes them.

The day is fixed once for the whole run (:func:`fix_today`, called by ``tests/conftest.py``):
today's Beijing date, or the day a run pins with ``BANSHI_TODAY=2027-12-06 make test``. Every
embedded-profile process the tests start is given that day (``Settings.today``), so the sandbox,
the actions and the expected values here agree even when a run crosses midnight. Expected dates
are computed from here, never written out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from platform_sandbox.seed import (
    DEFAULT_SEED,
    Dataset,
    DemoSlots,
    cached_dataset,
    demo_allowance_application,
    demo_slots,
)
from platform_sandbox.synthetic.records import Application

BEIJING = timezone(timedelta(hours=8))


_run_day: date | None = None


def fix_today(pinned: str | None) -> date:
    """Fix the run's day: ``pinned`` (``YYYY-MM-DD``) or, when blank, today in Beijing."""
    global _run_day
    _run_day = date.fromisoformat(pinned.strip()) if pinned and pinned.strip() else None
    _run_day = _run_day or datetime.now(BEIJING).date()
    return _run_day


def today() -> date:
    """The day the system under test works on."""
    return _run_day or fix_today(None)


def slots(day: date | None = None) -> DemoSlots:
    """The demo point's fixed slots for the data laid out around ``day`` (default today)."""
    return demo_slots(day or today())


def day_of(slot_id: str) -> date:
    """The day of a slot id (``AP01-20261202-0900`` → 2026-12-02)."""
    stamp = slot_id.split("-")[1]
    return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:]))


def said(day: date) -> str:
    """A day as a person says it: ``12月2号``."""
    return f"{day.month}月{day.day}号"


def written(day: date) -> str:
    """A day as the bot writes it: ``2026年12月2日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def weekend_after(day: date) -> date:
    """The first Saturday after ``day`` (no slots on weekends)."""
    return day + timedelta(days=(5 - day.weekday()) % 7 or 7)


def dataset() -> Dataset:
    """The sandbox's data as laid out around today (generated once per day and process)."""
    return cached_dataset(DEFAULT_SEED, today())


def allowance_application() -> str:
    """The number of the demo citizen's elderly-allowance application under review (it carries
    the day it was made, so it moves with the calendar)."""
    return demo_allowance_application(dataset())


def beijing_day(stored: datetime) -> date:
    """The Beijing day of a naive-UTC time of the dataset."""
    return (stored + timedelta(hours=8)).date()


def months_before(day: date, count: int) -> list[str]:
    """The ``count`` months before ``day``'s month, newest first (``2026-11``, ``2026-10`` …)."""
    year, month = day.year, day.month
    found = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        found.append(f"{year}-{month:02d}")
    return found


def age(id_number: str, on: date | None = None) -> int:
    """A person's age in whole years on ``on`` (default today), from their ID number."""
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    day = on or today()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


_NUMERALS = "零一二三四五六七八九"


def said_in_words(day: date) -> str:
    """A day in Chinese numerals, as a recognizer writes it: ``十二月一号``."""
    return f"{_numeral(day.month)}月{_numeral(day.day)}号"


def _numeral(number: int) -> str:
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _NUMERALS[ones]
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


_SPOKEN = dict(zip("0123456789", "零幺二三四五六七八九", strict=True))


def spoken(number: str) -> str:
    """An application number as a caller reads it out: ``S Q 二零二六 零九幺三 零零零零零幺``."""
    digits = "".join(_SPOKEN[d] for d in number[2:])
    return f"S Q {digits[:4]} {digits[4:8]} {digits[8:]}"


def needs_info_application(data: Dataset | None = None) -> Application:
    """An ordinary citizen's senior-card application waiting for materials."""
    return next(
        a
        for a in (data or dataset()).applications
        if a.status == "needs_info" and a.service_code == "senior_card"
    )
