"""The queue order, a citizen's position in it, and the estimated wait (pure functions).

Order: citizens aged 80 or more first; then high priority (fraud risk); then whoever
has waited longest. A citizen's position counts only the handoffs the same staff can take
(the same district, or no district), because those are the ones ahead of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from handoff.models import Handoff, Priority

ELDERLY_AGE = 80


def queue_key(handoff: Handoff) -> tuple[int, int, datetime]:
    """Sort key: smaller comes first."""
    elderly = handoff.citizen_age is not None and handoff.citizen_age >= ELDERLY_AGE
    return (0 if elderly else 1, 0 if handoff.priority is Priority.HIGH else 1, handoff.created_at)


def ordered(waiting: Iterable[Handoff]) -> list[Handoff]:
    """Waiting handoffs in the order staff should take them."""
    return sorted(waiting, key=queue_key)


def same_pool(a: Handoff, b: Handoff) -> bool:
    """Whether the same staff would take ``a`` and ``b`` (districts match, or one is unknown)."""
    return not a.district or not b.district or a.district == b.district


def position(handoff: Handoff, waiting: Iterable[Handoff]) -> int:
    """1-based position of ``handoff`` among the waiting handoffs of its pool."""
    pool = [h for h in ordered(waiting) if same_pool(h, handoff)]
    for index, other in enumerate(pool, start=1):
        if other.id == handoff.id:
            return index
    return len(pool) + 1


def estimated_wait_s(position: int, *, on_duty: int, mean_handle_s: float) -> float:
    """Seconds until a person is free for the citizen at ``position``.

    With ``n`` staff on duty each taking ``mean_handle_s`` per citizen, the citizen at position
    ``p`` is served after ``ceil(p / n) - 1`` rounds, plus half a round for the current ones.
    """
    if on_duty <= 0:
        return math.inf
    rounds = math.ceil(position / on_duty) - 1
    return (rounds + 0.5) * mean_handle_s


def wait_words(seconds: float) -> str:
    """An estimated wait in plain Chinese, rounded up to whole minutes: "大约3分钟"."""
    if math.isinf(seconds):
        return "暂时无法估计"
    minutes = max(1, math.ceil(seconds / 60))
    return f"大约{minutes}分钟"
