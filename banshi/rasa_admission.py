"""A turn that waited too long in Rasa is refused before it starts, never run late.

Under overload, turns queue in Rasa: for its event loop, and for their conversation's lock.
The gateway waits ``BANSHI_RASA_TIMEOUT_S`` (10 s) for an answer, then tells the citizen to say
it again; but Rasa went on with the turn it had queued, so the tracker kept a turn the citizen
was told was not taken (hundreds in a run of 4,000 at 200 conversations at once), their repeat
became a second one, and a turn that waited past the lock's lifetime could run beside the next
turn of its conversation.

The gateway now sends each turn with the latest time it may start (``X-Banshi-Start-By``, Unix
seconds: ``BANSHI_RASA_START_WITHIN_S``, 6 s, after sending; the processes' clocks are the
machine's, or NTP-synchronised between pods). Rasa refuses a turn past that time, when it
arrives and again once it holds the conversation's lock, with ``503 bot_busy``
(:mod:`banshi.rasa_faults`): nothing of it is kept, and the citizen hears the gateway's plain
"say it again in a moment". A turn started in time has the rest of the gateway's wait to finish.
"""

from __future__ import annotations

import contextvars
import math
import time
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.exceptions import RasaException

START_BY_HEADER = "X-Banshi-Start-By"

_start_by: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "banshi_start_by", default=None
)


class TurnNotStarted(RasaException):
    """The turn's start-by time passed while it waited; it was not run."""

    def __init__(self, late_s: float, where: str) -> None:
        super().__init__(f"turn not started: {late_s:.2f} s late ({where})")
        self.late_s = late_s
        self.where = where


def start_by(header: str | None) -> float | None:
    """The start-by time a header says; None when absent or not a finite number (the turn then
    has no limit, as before)."""
    try:
        value = float(header or "")
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def admit(header: str | None) -> None:
    """Note this turn's start-by time (for :func:`check` under the lock) and refuse it now if
    it has passed."""
    _start_by.set(start_by(header))
    check("arrival")


def check(where: str) -> None:
    """Raise :class:`TurnNotStarted` if this turn's start-by time has passed."""
    limit = _start_by.get()
    if limit is not None and (late_s := time.time() - limit) > 0:
        raise TurnNotStarted(late_s, where)


def install() -> None:
    """Check the start-by time when the processor begins the turn (the lock is held then)."""
    original = MessageProcessor.handle_message

    async def handle_message(self: MessageProcessor, message: UserMessage) -> Any:
        check("lock")
        return await original(self, message)

    MessageProcessor.handle_message = handle_message
