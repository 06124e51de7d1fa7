"""The supervisor's dashboard figures: handoffs per hour, waiting times, outcomes, age groups."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handoff.models import OUTCOME_ZH, Handoff, Status
from handoff.views import age_group

WAIT_BUCKETS: tuple[tuple[str, float], ...] = (
    ("1分钟内", 60),
    ("1-3分钟", 180),
    ("3-5分钟", 300),
    ("5-10分钟", 600),
    ("10分钟以上", float("inf")),
)
AGE_GROUPS = ("60岁以下", "60-69岁", "70-79岁", "80岁及以上", "未知")


def _wait_s(handoff: Handoff, now: datetime) -> float | None:
    """Seconds from the request to a person (or to now, if still waiting)."""
    if handoff.claimed_at:
        return (handoff.claimed_at - handoff.created_at).total_seconds()
    if handoff.status is Status.WAITING:
        return (now - handoff.created_at).total_seconds()
    return None


def figures(
    handoffs: list[Handoff], *, now: datetime, zone: ZoneInfo, hours: int = 24
) -> dict[str, Any]:
    """The dashboard for the last ``hours`` hours (the handoffs created in that time)."""
    start = (
        (now - timedelta(hours=hours - 1))
        .astimezone(zone)
        .replace(minute=0, second=0, microsecond=0)
    )
    per_hour = []
    for index in range(hours):
        begin = start + timedelta(hours=index)
        end = begin + timedelta(hours=1)
        count = sum(1 for h in handoffs if begin <= h.created_at.astimezone(zone) < end)
        per_hour.append({"hour": begin.strftime("%H:00"), "count": count})
    waits = [w for h in handoffs if (w := _wait_s(h, now)) is not None]
    wait_buckets = []
    lower = 0.0
    for label, upper in WAIT_BUCKETS:
        wait_buckets.append({"label": label, "count": sum(1 for w in waits if lower <= w < upper)})
        lower = upper
    outcomes = Counter(OUTCOME_ZH[h.outcome] for h in handoffs if h.outcome is not None)
    ages = Counter(age_group(h.citizen_age) for h in handoffs)
    return {
        "hours": hours,
        "total": len(handoffs),
        "waiting": sum(1 for h in handoffs if h.status is Status.WAITING),
        "active": sum(1 for h in handoffs if h.status is Status.ACTIVE),
        "per_hour": per_hour,
        "waiting_times": {
            "buckets": wait_buckets,
            "median_s": round(statistics.median(waits), 1) if waits else None,
            "max_s": round(max(waits), 1) if waits else None,
        },
        "outcomes": [{"label": label, "count": count} for label, count in outcomes.most_common()],
        "age_groups": [{"label": label, "count": ages.get(label, 0)} for label in AGE_GROUPS],
    }
