"""Time of the sandbox: naive UTC in the database, Beijing time (UTC+8) in responses."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def utc_now() -> datetime:
    """The current time as naive UTC, the form stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def beijing_iso(stored: datetime) -> str:
    """A stored naive-UTC time as ISO 8601 in Beijing time (``2026-12-03T14:05:09+08:00``)."""
    return stored.replace(tzinfo=timezone.utc).astimezone(BEIJING).isoformat(timespec="seconds")


def beijing_date(stored: datetime) -> date:
    """The Beijing calendar date of a stored naive-UTC time."""
    return stored.replace(tzinfo=timezone.utc).astimezone(BEIJING).date()
