"""Yes/no to an offer made at the end of a service ("要帮您预约吗？").

A service that ends with an offer sets the ``pending_action`` slot to ``service:<code>``; "对"
starts that service (``action_confirm_pending``), "不用" drops the offer
(``action_decline_pending``). Questions inside a service are yes/no slots of the form instead.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

OFFER_PREFIX = "service:"


def offer(code: str) -> SlotSet:
    """The event that makes "对" start service ``code`` next."""
    return SlotSet("pending_action", f"{OFFER_PREFIX}{code}")


RECEIPT_SLOT = "last_receipt"
"""What the last finished service left to say again ("申请编号是 …"): ``{text, speech}``."""
_ASKS_AFTER = re.compile(r"提交|交上去|交了|办好|办了|好了|成了|成功|编号")
"""Words of a person who asks again, right after, whether it went through ("提交吧")."""


def receipt(text: str, speech: str) -> SlotSet:
    """The event that keeps what to say if the person asks again right after."""
    return SlotSet(RECEIPT_SLOT, {"text": text, "speech": speech})


def said_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Right after a service finished, the person asks again whether it is done ("提交吧"):
    say so with its number, and True; False otherwise (the receipt is good for the next turn
    only)."""
    text = str(tracker.latest_message.get("text") or "")
    if not _ASKS_AFTER.search(text):
        return False
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users > 1:
                return False
        elif event.get("event") == "slot" and event.get("name") == RECEIPT_SLOT:
            kept = event.get("value")
            if not isinstance(kept, dict) or not kept.get("text"):
                return False
            dispatcher.utter_message(
                text=f"已经办好了。{kept['text']}",
                json_message={"speech": f"已经办好了。{kept.get('speech') or kept['text']}"},
            )
            return True
    return False


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
        if service is None and said_again(dispatcher, tracker):
            return []
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
