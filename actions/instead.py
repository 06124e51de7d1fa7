"""An answer the NLU took for a control word: "叫个人到我家里来帮我弄" looks like asking for a
person, "电话就不留了" like cancelling, but said to the question the service asked they answer
it. Rules stop the service's form before the control's action runs; the action asks here first
whether the words answer the question, and if so the form goes on with the answer instead.
"""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import identity
from actions.services import by_code
from actions.services.base import Turn


def asked_before(tracker: Tracker) -> str | None:
    """The question the service asked last (the slot it requested before this turn)."""
    for event in reversed(tracker.events):
        requested = event.get("event") == "slot" and event.get("name") == "requested_slot"
        if requested and event.get("value"):
            return str(event["value"])
    return None


async def answered_instead(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    questions: tuple[str, ...] | None,
    means: Callable[[str], bool],
) -> list[EventType] | None:
    """When the service last asked one of ``questions`` (None: any) and what was said ``means``
    an answer to it, the service's own check of that answer and the form going on; else None.
    The check must take the answer (a value, or a way on such as "用手机号"), not reject it."""
    text = str(tracker.latest_message.get("text") or "")
    slot = asked_before(tracker)
    service = by_code(str(tracker.get_slot("service") or ""))
    if slot is None or service is None or not means(text):
        return None
    if questions is not None and slot not in questions:
        return None
    scratch = CollectingDispatcher()
    turn = Turn(scratch, tracker)
    updates = await identity.validate(slot, text, turn, service)
    if updates is None:
        updates = await service.validate(slot, text, turn)
    if not updates or turn.failed or (updates.get(slot) is None and len(updates) == 1):
        return None
    dispatcher.messages.extend(scratch.messages)
    return [
        *(SlotSet(name, value) for name, value in updates.items()),
        FollowupAction("service_form"),
    ]


ANSWER_OVER_REQUEST = 0.6
"""A reading of another service below this confidence gives way to an answer of the question."""


async def answer_not_request(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """A weak reading of another service that answers the question in hand ("身份证号我记不清，
    老了", asked for the ID, read as 老年卡): the answer, and the service goes on; else None."""
    intent = tracker.latest_message.get("intent") or {}
    in_form = (tracker.active_loop or {}).get("name") == "service_form"
    if not in_form or float(intent.get("confidence") or 0.0) >= ANSWER_OVER_REQUEST:
        return None
    return await answered_instead(dispatcher, tracker, questions=None, means=bool)


async def answer_not_leaving(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """A weak reading of "不办了" or "再见" that answers the question the service asked
    ("那就交了吧" to "现在缴费吗？"): the answer, and the service goes on; else None. (The rules
    have stopped the form already; the answer starts it again.)"""
    intent = tracker.latest_message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) >= ANSWER_OVER_REQUEST:
        return None
    return await answered_instead(dispatcher, tracker, questions=None, means=bool)
