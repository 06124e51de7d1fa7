"""WeChat's retries, and its five seconds: each turn answered once, passively or through the API.

WeChat waits five seconds for the answer to a request, then resends the same message (same
``MsgId``) up to three times. :class:`InFlight` keeps the turns this process is answering (and
those answered in the last minutes) by follower and turn id, so that a retry joins the turn
already running instead of starting another. The answer is delivered exactly once: the first
request that sees it within its budget takes it as the passive reply
(:meth:`PendingTurn.take_passive`); a request whose budget ran out hands it to the API
(:meth:`PendingTurn.hand_to_api`), and every later request answers ``success``.

Across gateway processes the core's turn log (``message_id``) keeps the turn single; only the
delivery bookkeeping is per process.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

KEEP_S = 300.0
"""How long an answered turn is remembered for late retries (WeChat's come within 15 s)."""


class Delivery(str, enum.Enum):
    """Who delivers a turn's answer."""

    UNDECIDED = "undecided"
    PASSIVE = "passive"
    API = "api"


@dataclass(eq=False)
class PendingTurn:
    """One turn being answered, and who delivers its answer."""

    task: asyncio.Task[list[str]]
    started: float = field(default_factory=time.monotonic)
    delivery: Delivery = Delivery.UNDECIDED
    _sent: bool = False

    def take_passive(self) -> bool:
        """Claim the answer for this request's passive reply (False: someone else has it)."""
        if self.delivery is Delivery.UNDECIDED:
            self.delivery = Delivery.PASSIVE
            return True
        return False

    def hand_to_api(self, send: Callable[[list[str]], Awaitable[None]]) -> None:
        """No passive reply in time: the answer goes through the API when it is ready."""
        if self.delivery is Delivery.UNDECIDED:
            self.delivery = Delivery.API
        self._send_when_ready(send)

    def _send_when_ready(self, send: Callable[[list[str]], Awaitable[None]]) -> None:
        def ready(task: asyncio.Task[list[str]]) -> None:
            if self._sent or self.delivery is not Delivery.API:
                return
            self._sent = True
            if not task.cancelled() and task.exception() is None and task.result():
                spawn(send(task.result()))

        if self.task.done():
            ready(self.task)
        else:
            self.task.add_done_callback(ready)


_background: set[asyncio.Task[None]] = set()


def spawn(work: Awaitable[None]) -> None:
    """Run ``work`` in the background, keeping a reference until it ends."""

    async def run() -> None:
        await work

    task = asyncio.ensure_future(run())
    _background.add(task)
    task.add_done_callback(_background.discard)


class InFlight:
    """The turns of this process by (follower, turn id), kept ``KEEP_S`` after they start."""

    def __init__(self, keep_s: float = KEEP_S) -> None:
        self.keep_s = keep_s
        self._turns: OrderedDict[tuple[str, str], PendingTurn] = OrderedDict()

    def join(
        self, follower: str, turn_id: str, start: Callable[[], Awaitable[list[str]]]
    ) -> PendingTurn:
        """The turn already under way for this message, or a new one started with ``start``."""
        self._forget_old()
        key = (follower, turn_id)
        pending = self._turns.get(key)
        if pending is None:
            pending = PendingTurn(asyncio.ensure_future(start()))
            self._turns[key] = pending
        return pending

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - self.keep_s
        while self._turns:
            key, oldest = next(iter(self._turns.items()))
            if oldest.started > cutoff or not oldest.task.done():
                break
            del self._turns[key]

    def __len__(self) -> int:
        return len(self._turns)
