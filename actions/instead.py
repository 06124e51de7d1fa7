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
    questions: tuple[str, ...],
    means: Callable[[str], bool],
) -> list[EventType] | None:
    """When the service last asked one of ``questions`` and what was said ``means`` an answer
    to it, the service's own check of that answer and the form going on; else None."""
    text = str(tracker.latest_message.get("text") or "")
    slot = asked_before(tracker)
    service = by_code(str(tracker.get_slot("service") or ""))
    if slot not in questions or service is None or not means(text):
        return None
    turn = Turn(dispatcher, tracker)
    updates = await service.validate(slot, text, turn)
    if not updates or updates.get(slot) is None:
        return None
    return [
        *(SlotSet(name, value) for name, value in updates.items()),
        FollowupAction("service_form"),
    ]
