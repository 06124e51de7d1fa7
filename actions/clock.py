"""The calendar of the actions: the platform's days are Beijing days.

"Today" is Beijing's date unless the action server was started with a pinned day
(``BANSHI_TODAY``, :attr:`actions.config.ActionConfig.today`, set by
:func:`actions.runtime.start_client`); the platform sandbox reads the same variable,
so both agree on the day. On a pinned day the time of day is still the real one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_pinned: date | None = None


def pin_today(day: date | None) -> None:
    """Make ``day`` this process's today (None: follow the real calendar)."""
    global _pinned
    _pinned = day


def today() -> date:
    """Today in Beijing, or the pinned day."""
    return _pinned if _pinned is not None else datetime.now(BEIJING).date()


def now() -> datetime:
    """Now in Beijing, aware; on a pinned day, that day at the real time of day."""
    current = datetime.now(BEIJING)
    return current if _pinned is None else datetime.combine(_pinned, current.timetz())
