"""Yes/no to an offer made at the end of a service ("要帮您预约吗？").

A service that ends with an offer sets the ``pending_action`` slot to ``service:<code>``; "对"
starts that service (``action_confirm_pending``), "不用" drops the offer
(``action_decline_pending``). Questions inside a service are yes/no slots of the form instead.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

OFFER_PREFIX = "service:"


def offer(code: str) -> SlotSet:
    """The event that makes "对" start service ``code`` next."""
    return SlotSet("pending_action", f"{OFFER_PREFIX}{code}")


class ActionConfirmPending(Action):
    """The user said yes: start the offered service, or ask what they want."""

    def name(self) -> str:
        return "action_confirm_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        from actions.services import by_code  # the services import offer() from here

        pending = str(tracker.get_slot("pending_action") or "")
        service = by_code(pending.removeprefix(OFFER_PREFIX)) if pending else None
        if service is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return [SlotSet("pending_action", None)]
        return [
            SlotSet("pending_action", None),
            SlotSet("service", service.code),
            FollowupAction("action_start_service"),
        ]


class ActionDeclinePending(Action):
    """The user said no (or "不办了" outside a service): drop the offer."""

    def name(self) -> str:
        return "action_decline_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("pending_action") is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        dispatcher.utter_message(text="好的。还有别的事要办吗？")
        return [SlotSet("pending_action", None)]
