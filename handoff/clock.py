"""Time for the handoff part: one injectable clock, always aware UTC.

SQLite gives datetimes back without a time zone; :func:`as_utc` restores it, so every
comparison in this package is between aware UTC values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]
"""Returns the current time, aware, in UTC. Tests inject a fixed or stepping clock."""


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """``value`` as aware UTC (a naive value from the database is UTC already)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """``value`` as an ISO 8601 string in UTC, for the API."""
    aware = as_utc(value)
    return aware.isoformat().replace("+00:00", "Z") if aware else None
