"""Yes/no after a read-back: "对" carries out the pending step, "不对" drops it.

An action that reads something back for confirmation sets the ``pending_action`` slot to the
name of the step; these two actions dispatch on it, so one rule per answer serves every service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.education import BILL_SLOTS, PENDING_PAY_EDUCATION, pay_education_bill

Step = Callable[[CollectingDispatcher, Tracker], Awaitable[list[EventType]]]
_STEPS: dict[str, Step] = {PENDING_PAY_EDUCATION: pay_education_bill}


class ActionConfirmPending(Action):
    """The user said yes: carry out the pending step, or ask what they want."""

    def name(self) -> str:
        return "action_confirm_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        step = _STEPS.get(str(tracker.get_slot("pending_action")))
        if step is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        return await step(dispatcher, tracker)


class ActionDeclinePending(Action):
    """The user said no: drop the pending step and what was collected for it."""

    def name(self) -> str:
        return "action_decline_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("pending_action") is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        dispatcher.utter_message(response="utter_declined")
        return [SlotSet("pending_action", None), *(SlotSet(slot, None) for slot in BILL_SLOTS)]
