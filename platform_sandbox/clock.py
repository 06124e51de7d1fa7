"""Time of the sandbox: naive UTC in the database, Beijing time (UTC+8) in responses, and
the one calendar day that every dated decision reads.

The calendar day ("today") is Beijing's date, unless the process was started with a pinned
day (``BANSHI_TODAY=2026-12-01``, :class:`~platform_sandbox.config.SandboxConfig.today`):
then it is that day. Durations (token, code and pay-code lifetimes,
rate limits) always use the real clock, :func:`utc_now`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_pinned: date | None = None


def utc_now() -> datetime:
    """The current time as naive UTC, the form stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def pin_today(day: date | None) -> None:
    """Make ``day`` this process's today (None: follow the real calendar)."""
    global _pinned
    _pinned = day


def today() -> date:
    """The calendar day of the platform: the pinned day, or today's date in Beijing."""
    return _pinned if _pinned is not None else datetime.now(BEIJING).date()


def beijing_iso(stored: datetime) -> str:
    """A stored naive-UTC time as ISO 8601 in Beijing time (``2026-12-03T14:05:09+08:00``)."""
    return stored.replace(tzinfo=timezone.utc).astimezone(BEIJING).isoformat(timespec="seconds")
