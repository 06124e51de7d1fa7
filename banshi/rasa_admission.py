"""Rasa takes a few turns at a time, and refuses a turn that waited too long instead of running
it late.

Under overload Rasa took every turn that arrived: turns of different conversations do not wait
for each other's locks, so two hundred turns ran at once, interleaved at every ``await``, and each
took two hundred turns' time. The gateway stops waiting after ``BANSHI_RASA_TIMEOUT_S`` (10 s)
and tells the citizen to say it again, but Rasa went on and kept the turn in its tracker (354–511
such turns in a run of 4,000 at 200 conversations at once): their repeat became a second turn,
and a turn that waited past the lock's lifetime could run beside the next one of its
conversation.

Now:

- **Turns at once**: a Rasa process runs at most ``BANSHI_RASA_TURNS_AT_ONCE`` turns (default 4:
  enough to overlap the calls to the action server; the work itself is one core's) once it holds
  their conversations' locks; the others wait for a slot, first come first served. A turn
  then takes its own time, not that of every turn in the process.
- **Start within**: the gateway sends each turn with the seconds it may wait before it starts
  (``X-Banshi-Start-Within``: ``BANSHI_RASA_START_WITHIN_S``, 6 s, below the gateway's wait).
  Counted from its arrival on Rasa's monotonic clock (no clock is compared between machines), a
  turn past it is refused when it would start, with ``503 bot_busy``
  (:mod:`banshi.rasa_faults`): nothing of it is kept, the citizen hears the gateway's plain "say
  it again in a moment", and the refusal costs next to nothing, so the turns that do start are
  answered at the process's full rate.
- **Answer within**: the gateway also sends the seconds it will still wait for the answer
  (``X-Banshi-Answer-Within``: its wait, less what it waited in the gateway, less 1 s for the
  way back). A turn that started in time but is about to be saved after that (Rasa's loop
  shared with the other turns and their events) is refused instead, before its tracker is
  saved or its events are published: the citizen was told to say it again, and it is not in
  the bot's memory. What an action did on the platform meanwhile stays done (the platform
  keeps one live payment per bill; the repeat finds it).

The gateway then waits for Rasa's verdict (kept or refused) rather than its own clock
(``conversation.rasa_client.STUCK_AFTER_S``), so a turn kept just in time is answered, late.
What is left: a Rasa that answers nothing for 10 s past the gateway's wait; the gateway then
says "say it again" about a turn Rasa may still keep.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rasa.shared.exceptions import RasaException

START_WITHIN_HEADER = "X-Banshi-Start-Within"
ANSWER_WITHIN_HEADER = "X-Banshi-Answer-Within"
TURNS_AT_ONCE_VARIABLE = "BANSHI_RASA_TURNS_AT_ONCE"
DEFAULT_TURNS_AT_ONCE = 4

_start_by: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "banshi_start_by", default=None
)
_answer_by: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "banshi_answer_by", default=None
)

T = TypeVar("T")


class TooLate(RasaException):
    """The turn could not start, or finish, while the gateway still waits for it: it was
    not run (``where``: ``arrival``, ``lock``, ``slot``), or not kept (``save``)."""

    def __init__(self, late_s: float, where: str) -> None:
        super().__init__(f"turn too late: {late_s:.2f} s ({where})")
        self.late_s = late_s
        self.where = where


def start_within(header: str | None) -> float | None:
    """The seconds a header allows; None when absent or not a finite number (no limit, as
    before). Zero or less: the turn is already late."""
    try:
        value = float(header or "")
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@contextmanager
def admitted(start_header: str | None, answer_header: str | None = None) -> Iterator[None]:
    """The turn in this block may start only within the seconds ``start_header`` allows, and
    be kept only within those of ``answer_header`` (both from now); refused at once if the
    first allows none."""
    now = time.monotonic()
    start, answer = start_within(start_header), start_within(answer_header)
    start_token = _start_by.set(None if start is None else now + start)
    answer_token = _answer_by.set(None if answer is None else now + answer)
    try:
        check("arrival")
        yield
    finally:
        _answer_by.reset(answer_token)
        _start_by.reset(start_token)


def check(where: str) -> None:
    """Raise :class:`TooLate` if this turn's start-within time has passed."""
    _check(_start_by, where)


def _check(limit_var: contextvars.ContextVar[float | None], where: str) -> None:
    limit = limit_var.get()
    if limit is not None and (late_s := time.monotonic() - limit) >= 0:
        raise TooLate(late_s, where)


def turns_at_once(env: dict[str, str] | os._Environ[str] | None = None) -> int:
    """``BANSHI_RASA_TURNS_AT_ONCE`` (1–64; default 4), read by the Rasa process itself."""
    raw = (os.environ if env is None else env).get(TURNS_AT_ONCE_VARIABLE) or ""
    from banshi.settings import check_turns_at_once

    return check_turns_at_once(int(raw) if raw.strip() else DEFAULT_TURNS_AT_ONCE)


def in_slots(handle: Callable[..., Awaitable[T]], slots: int) -> Callable[..., Awaitable[T]]:
    """``handle`` run at most ``slots`` at a time, each checked against its start-within time
    when its slot comes."""
    gate: asyncio.Semaphore | None = None

    async def run(*args: Any, **kwargs: Any) -> T:
        nonlocal gate
        check("lock")
        if gate is None:  # made in the server's event loop, at its first turn
            gate = asyncio.Semaphore(slots)
        async with gate:
            check("slot")
            return await handle(*args, **kwargs)

    return run


def kept_in_time(
    save: Callable[..., Awaitable[None]],
) -> Callable[..., Awaitable[None]]:
    """``save`` (the processor's tracker save), refused when the turn's answer-within time has
    passed: the gateway is no longer waiting, so its citizen was told to say it again."""

    async def run(*args: Any, **kwargs: Any) -> None:
        _check(_answer_by, "save")
        await save(*args, **kwargs)

    return run


def install() -> None:
    """Run the processor's turns in slots (called with the conversation's lock held), and keep
    a turn only while the gateway waits for it."""
    from rasa.core.processor import MessageProcessor

    MessageProcessor.handle_message = in_slots(MessageProcessor.handle_message, turns_at_once())
    MessageProcessor.save_tracker = kept_in_time(MessageProcessor.save_tracker)
