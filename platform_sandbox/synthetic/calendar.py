"""Calendar arithmetic of the synthetic data: whole years, months and weekdays around a day."""

from __future__ import annotations

from datetime import date, timedelta


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February becomes 28 February in common years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_before(day: date, count: int) -> list[date]:
    """The first days of the ``count`` months before ``day``'s month, oldest first
    (2026-09-01, 2026-10-01, 2026-11-01 for 2026-12-05 and 3)."""
    months: list[date] = []
    year, month = day.year, day.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(date(year, month, 1))
    return list(reversed(months))


def month_after(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def weekdays_after(day: date, count: int) -> list[date]:
    """The first ``count`` weekdays (Monday to Friday) after ``day``."""
    found: list[date] = []
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found
