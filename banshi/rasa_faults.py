"""How the Rasa server reports a fault to the gateway: a turn is done whole or refused whole.

Rasa 3.6 hides faults from its REST channel's caller. When the lock store (Redis) or the
tracker store (PostgreSQL) fails, the channel answers ``200 []`` — which the gateway cannot
tell from a bot with nothing to say; when the action server is down, the processor logs the
failed action, drops its events and goes on predicting, so the citizen gets silence or a form
that moves on without the check of their answer. Three changes, installed before Rasa starts
(``banshi.rasa_server``):

- :class:`RestInput` (``bot/credentials.yml``; still named ``rest``, same URL) answers a turn
  that failed with ``503 {"error": {"code", "intent"}}``: ``actions_unavailable``,
  ``lock_store_unavailable``, ``tracker_store_unavailable``, ``bot_busy`` (not started in
  time, :mod:`banshi.rasa_admission`) or ``bot_failed``. ``intent`` is
  what the citizen asked for (the gateway hands off itself on ``request_human`` when the
  action server, which would otherwise do it, is down).
- A custom action that cannot be run (the action server unreachable, timing out or answering
  5xx) fails the whole turn with :class:`ActionServerUnavailable`, before the tracker is saved:
  the citizen's message is not kept in the tracker, so their repeat later is the first one.
- The tracker store failing (PostgreSQL down), on reading or on saving, fails the turn. Rasa's
  own fall-back goes on with an in-memory tracker: a fresh one when reading failed (the
  conversation forgotten, and the answered turn not saved, since Rasa's SQL store saves only
  events past the count it holds), and the turn kept in this process only when saving failed
  (both found by ``tests/scale/test_faults.py``'s reconciliation under load).
- Releasing the conversation's lock after the turn was saved may meet Redis gone: that is
  logged and retried at this process's next turn instead of failing a turn already done (the
  lock would otherwise hold the conversation until its 60 s lifetime ends).
- Events that could not be published while RabbitMQ was away are kept in memory by Rasa's
  broker and sent again only from its reconnect callback, which did not run in our tests
  (they stayed kept for good), and a publish in flight while the connection is rebuilt may
  wait for ever. Here a publish waits at most 5 s (then the event is kept); once an event is
  kept, the oldest is tried every second, and when it goes through the others follow. Events
  published meanwhile may arrive before them (order by their ``timestamp``); a restart of
  Rasa loses what is kept.
"""

from __future__ import annotations

import contextvars
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.lock_store import LockStore
from rasa.core.processor import MessageProcessor
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from banshi import rasa_admission

logger = logging.getLogger(__name__)

_failed_action: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "banshi_failed_action", default=None
)


class ActionServerUnavailable(RasaException):
    """A custom action could not be run; the turn is refused whole."""

    def __init__(self, action: str, intent: str | None) -> None:
        super().__init__(f"custom action {action!r} could not be run")
        self.action = action
        self.intent = intent


def fault_code(error: BaseException) -> str:
    """The code the gateway gets for a turn that failed with ``error``."""
    if isinstance(error, ActionServerUnavailable):
        return "actions_unavailable"
    if isinstance(error, rasa_admission.TooLate):
        return "bot_busy"
    names = {f"{cls.__module__}.{cls.__name__}" for cls in type(error).__mro__}
    if (
        any(name.startswith("redis.") for name in names)
        or "rasa.core.lock_store.LockError" in names
    ):
        return "lock_store_unavailable"
    if any(name.startswith(("sqlalchemy.", "psycopg2.")) for name in names):
        return "tracker_store_unavailable"
    return "bot_failed"


class RestInput(RasaRestInput):
    """Rasa's REST channel (same name, URL and answers), except that a failed turn is a 503
    with a code instead of a 200 with whatever was said before the failure."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` (health) and ``POST /webhook`` (one turn)."""
        webhook = Blueprint("banshi_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = CollectingOutputChannel()
            message = UserMessage(
                self._extract_message(request),
                collector,
                await self._extract_sender(request),
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            try:
                with rasa_admission.admitted(
                    request.headers.get(rasa_admission.START_WITHIN_HEADER),
                    request.headers.get(rasa_admission.ANSWER_WITHIN_HEADER),
                ):
                    await on_new_message(message)
            except CancelledError:
                logger.error("rasa.turn.cancelled")
                raise
            except Exception as error:  # every fault becomes a coded answer, never a 200
                code = fault_code(error)
                if isinstance(error, rasa_admission.TooLate):  # overload, not a fault
                    logger.warning(
                        "rasa.turn.too_late where=%s late_s=%.2f", error.where, error.late_s
                    )
                else:
                    logger.error(
                        "rasa.turn.failed code=%s error=%s",
                        code,
                        type(error).__name__,
                        exc_info=code == "bot_failed",  # unexpected: the operator needs it
                    )
                intent = error.intent if isinstance(error, ActionServerUnavailable) else None
                return response.json({"error": {"code": code, "intent": intent}}, status=503)
            return response.json(collector.messages)

        return webhook


def _patch_remote_action() -> None:
    original = RemoteAction.run

    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except ActionExecutionRejection:  # the action's own "not this" (forms): no fault
            raise
        except Exception:
            _failed_action.set(self.name())
            raise

    RemoteAction.run = run


def _patch_processor() -> None:
    original = MessageProcessor._run_action

    async def _run_action(self: MessageProcessor, *args: Any, **kwargs: Any) -> bool:
        # Rasa calls it with (action, tracker, output_channel, nlg, prediction), by position
        # or by name.
        tracker = kwargs["tracker"] if "tracker" in kwargs else args[1]
        token = _failed_action.set(None)
        try:
            result = await original(self, *args, **kwargs)
            failed = _failed_action.get()
        finally:
            _failed_action.reset(token)
        if failed is not None:
            latest = tracker.latest_message
            intent = (latest.intent or {}).get("name") if latest else None
            raise ActionServerUnavailable(failed, intent)
        return bool(result)

    MessageProcessor._run_action = _run_action


def _lock_lifetime_s() -> float:
    """How long Rasa keeps a conversation's lock (``TICKET_LOCK_LIFETIME``, its default 60 s)."""
    import os

    try:
        return float(os.environ.get("TICKET_LOCK_LIFETIME") or 60.0)
    except ValueError:
        return 60.0


def _patch_lock_release() -> None:
    import time

    cleanup = LockStore.cleanup
    issue_ticket = LockStore.issue_ticket
    # (when the release failed, store, conversation, ticket)
    pending: set[tuple[float, int, str, int]] = set()
    stores: dict[int, LockStore] = {}
    lifetime_s = _lock_lifetime_s()

    def release_pending() -> None:
        now = time.monotonic()
        for item in sorted(pending):
            failed_at, store_id, conversation_id, ticket = item
            if now - failed_at >= lifetime_s - 1.0:
                # The lock has expired by now, and the conversation may have a new one whose
                # first ticket has the same number: releasing it would free a live turn.
                pending.discard(item)
                logger.info("rasa.lock.release_expired")
                continue
            try:
                cleanup(stores[store_id], conversation_id, ticket)
            except Exception:  # still unreachable: keep it for the next turn
                return
            pending.discard(item)
            logger.info("rasa.lock.released_late")

    def tolerant_cleanup(self: LockStore, conversation_id: str, ticket_number: int) -> None:
        release_pending()
        try:
            cleanup(self, conversation_id, ticket_number)
        except Exception as error:
            logger.warning("rasa.lock.release_failed error=%s", type(error).__name__)
            stores[id(self)] = self
            pending.add((time.monotonic(), id(self), conversation_id, ticket_number))

    def issue(self: LockStore, conversation_id: str, lock_lifetime: float = 60.0) -> int:
        if pending:
            release_pending()
        return int(issue_ticket(self, conversation_id, lock_lifetime))

    LockStore.cleanup = tolerant_cleanup
    LockStore.issue_ticket = issue


PUBLISH_TIMEOUT_S = 5.0
"""The longest wait for RabbitMQ to take one event; then it is kept and sent again."""


def _patch_event_broker() -> None:
    import asyncio

    from rasa.core.brokers.pika import PikaEventBroker

    from banshi.rasa_events import _publish as publish_once

    flushers: dict[int, asyncio.Task[None]] = {}

    async def send(broker: PikaEventBroker, event: dict[str, Any], headers: Any = None) -> bool:
        """Publish ``event``; False when it was kept (RabbitMQ away, or no answer in time —
        a publish in flight while the connection is rebuilt can wait for ever)."""
        try:
            return await asyncio.wait_for(publish_once(broker, event, headers), PUBLISH_TIMEOUT_S)
        except asyncio.TimeoutError:
            logger.warning("rasa.events.publish_timeout")
            broker._unpublished_events.append(event)
            return False

    async def flush(broker: PikaEventBroker) -> None:
        """Every second, try the oldest kept event; when it goes through, send the rest."""
        kept = broker._unpublished_events
        while kept:
            await asyncio.sleep(1.0)
            event = kept.popleft()
            if not await send(broker, event):
                # Still away: the event, kept again at the back, goes back to the front (other
                # publishes may have been kept after it meanwhile).
                for index, other in enumerate(kept):
                    if other is event:
                        del kept[index]
                        break
                kept.appendleft(event)
                continue
            logger.info("rasa.events.republish count=%d", len(kept) + 1)
            for _ in range(len(kept)):
                await send(broker, kept.popleft())
        flushers.pop(id(broker), None)

    async def _publish(self: PikaEventBroker, event: dict[str, Any], headers: Any = None) -> None:
        if not await send(self, event, headers) and id(self) not in flushers:
            flushers[id(self)] = asyncio.get_running_loop().create_task(flush(self))

    PikaEventBroker._publish = _publish


def _patch_tracker_store_fallback() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    def on_tracker_store_error(self: FailSafeTrackerStore, error: Exception) -> None:
        # Rasa would go on with an in-memory tracker: a fresh one when reading failed (the
        # conversation starts over), and a turn kept only in this process when saving failed.
        raise error

    FailSafeTrackerStore.on_tracker_store_error = on_tracker_store_error
    # Reading has its own hook: Rasa logs and answers "no tracker", so the turn ran on a fresh
    # tracker, and saving it added nothing (Rasa's SQL store saves the events past the count it
    # already holds): the citizen was answered and the turn was not kept.
    FailSafeTrackerStore.on_tracker_store_retrieve_error = on_tracker_store_error


def install() -> None:
    """Apply the changes to Rasa's processor, lock store and event broker (the channel is
    configured)."""
    _patch_remote_action()
    _patch_processor()
    _patch_lock_release()
    _patch_event_broker()
    _patch_tracker_store_fallback()
