"""The console's live feed: queue changes and conversation messages, per session, in process.

Each open console holds one :class:`Subscription` (the SSE stream in ``api/live.py``). Queue
events go to every console whose user serves the handoff's district. Message events go only
to the consoles that opened that conversation's transcript (an audited read): the text is
masked, and nobody receives messages of a conversation they did not open.

One gateway process in the embedded profile. In the scale profile several gateways share the
consoles: a :class:`~handoff.relay.RedisRelay` carries every event and every watch to the
other processes, so a console sees what happened through any of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from handoff.models import Staff

logger = logging.getLogger(__name__)
QUEUE_SIZE = 500
WATCH_LIMIT = 8


@dataclass
class ConsoleEvent:
    """One event for consoles: ``kind`` names it, ``data`` is its JSON body."""

    kind: str
    data: dict[str, Any]
    district: str = ""
    """For queue events: the handoff's district ("" = not routed yet: supervisors only)."""
    conversation_id: str = ""
    """For message events: only consoles watching this conversation get it."""
    supervisors_only: bool = False


@dataclass(eq=False)
class Subscription:
    """One console's stream of events."""

    staff: Staff
    session_key: str
    queue: asyncio.Queue[ConsoleEvent] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )
    overflowed: bool = False
    ended: bool = False
    """The person was disabled: the stream ends at once."""

    def wants(self, event: ConsoleEvent, watching: set[str]) -> bool:
        """Whether this console may and should receive ``event``."""
        if event.supervisors_only and not self.staff.is_supervisor:
            return False
        if event.conversation_id:
            return event.conversation_id in watching
        return self.staff.sees_district(event.district)


class Relay(Protocol):
    """Carries the hub's events and watches to the hubs of other gateway processes."""

    def send(self, kind: str, data: dict[str, Any]) -> None: ...


class EventHub:
    """Publishes console events to the subscriptions that may see them."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._watching: dict[str, OrderedDict[str, None]] = {}
        self.relay: Relay | None = None
        """Set in the scale profile: what happens here is sent to the other gateways too."""

    def subscribe(self, staff: Staff, session_key: str) -> Subscription:
        """A new stream for a console of ``staff`` (``session_key``: its session)."""
        subscription = Subscription(staff, session_key)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """The console went away."""
        self._subscriptions.discard(subscription)

    def watch(self, session_key: str, conversation_id: str) -> None:
        """The session opened this conversation's transcript: send it the live messages."""
        self._watch(session_key, conversation_id)
        if self.relay is not None:
            self.relay.send("watch", {"session": session_key, "conversation": conversation_id})

    def forget(self, session_key: str) -> None:
        """The session ended."""
        self._watching.pop(session_key, None)
        if self.relay is not None:
            self.relay.send("forget", {"session": session_key})

    def end_staff(self, staff_id: int) -> None:
        """The person was disabled: end their consoles' streams at once, here and on the other
        gateways."""
        self._end_staff(staff_id)
        if self.relay is not None:
            self.relay.send("end_staff", {"staff": staff_id})

    def _end_staff(self, staff_id: int) -> None:
        for subscription in list(self._subscriptions):
            if subscription.staff.id != staff_id:
                continue
            subscription.ended = True
            self._watching.pop(subscription.session_key, None)
            with contextlib.suppress(asyncio.QueueFull):  # a full queue is read: it sees ended
                subscription.queue.put_nowait(ConsoleEvent("logged_out", {}))

    def _watch(self, session_key: str, conversation_id: str) -> None:
        watched = self._watching.setdefault(session_key, OrderedDict())
        watched[conversation_id] = None
        watched.move_to_end(conversation_id)
        while len(watched) > WATCH_LIMIT:
            watched.popitem(last=False)

    def receive(self, kind: str, data: dict[str, Any]) -> None:
        """What another gateway's hub published, watched or forgot (from the relay)."""
        if kind == "event":
            self.deliver(ConsoleEvent(**data))
        elif kind == "watch":
            self._watch(str(data["session"]), str(data["conversation"]))
        elif kind == "forget":
            self._watching.pop(str(data["session"]), None)
        elif kind == "end_staff":
            self._end_staff(int(data["staff"]))
        else:
            logger.warning("handoff.events.unknown_kind kind=%s", kind)

    @property
    def listeners(self) -> int:
        """How many consoles are connected (for tests and metrics)."""
        return len(self._subscriptions)

    def publish(self, event: ConsoleEvent) -> None:
        """Queue ``event`` for every console that may see it, here and on the other gateways
        (never blocks)."""
        self.deliver(event)
        if self.relay is not None:
            self.relay.send("event", asdict(event))

    def deliver(self, event: ConsoleEvent) -> None:
        """Queue ``event`` for the consoles of this process that may see it."""
        for subscription in list(self._subscriptions):
            watching = set(self._watching.get(subscription.session_key, ()))
            if not subscription.wants(event, watching):
                continue
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                # A console that stopped reading: tell it to reload instead of blocking others.
                subscription.overflowed = True
                logger.warning("handoff.events.overflow staff=%s", subscription.staff.id)
