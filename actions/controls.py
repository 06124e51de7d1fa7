"""Conversation controls that work at every turn: say it again, and say it more slowly.

``action_repeat`` repeats the bot's last answer (every message of it, in order). Inside a form
the question that follows is asked again by the form itself, so there it says nothing more.
``action_speak_slower`` tells the channels to slow the speech down for the rest of the
conversation: a ``custom`` message ``{"setting": {"speech_rate": "slow"}}`` that the gateway
stores with the conversation (the kiosk and the phone read it), then repeats the last answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

SLOW_SETTING = {"setting": {"speech_rate": "slow"}}


def last_bot_messages(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot's messages between the two latest user messages, in order."""
    users = 0
    found: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                break
        elif kind == "bot" and users == 1:
            found.append(event)
    return list(reversed(found))


def repeat(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say the last answer again; False when there was none."""
    messages = [m for m in last_bot_messages(tracker) if m.get("text")]
    for message in messages:
        data = message.get("data") or {}
        dispatcher.utter_message(text=message["text"], buttons=data.get("buttons") or [])
    return bool(messages)


class ActionRepeat(Action):
    """The last answer again ("再说一遍")."""

    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.active_loop_name:
            dispatcher.utter_message(text="好的，我再说一遍。")
            return []
        if not repeat(dispatcher, tracker):
            dispatcher.utter_message(response="utter_how_can_i_help")
        return []


class ActionSpeakSlower(Action):
    """Slower speech from now on ("说慢点"), and the last answer again."""

    def name(self) -> str:
        return "action_speak_slower"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(json_message=SLOW_SETTING)
        dispatcher.utter_message(text="好的，我说慢一点。")
        if not tracker.active_loop_name and not repeat(dispatcher, tracker):
            dispatcher.utter_message(response="utter_how_can_i_help")
        return []
