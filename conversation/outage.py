"""What the citizen hears when the bot cannot take their turn, and when a person is asked for.

Rasa refuses a turn whole when a part it needs is down (``banshi.rasa_faults``), or does not
answer at all; the citizen's message is stored all the same (staff see it), and:

- the action server down (``actions_unavailable``): Rasa understood the turn but cannot act on
  it. The answer (200) says so and offers a person (a 转人工 button); the turn is not in the
  bot's memory, so saying it again later starts where the conversation was.
- anything else (the lock store, the tracker store, Rasa itself): ``503 bot_unavailable`` with
  a plain "say it again in a moment, or say 转人工".
- in both cases a request for a person — what Rasa understood as ``request_human``, or the
  few fixed words and the 转人工 button's payload when Rasa could not even read the turn — is
  served by the gateway itself: the conversation is queued for staff (the bot's own action,
  which would do it, is what is down).
"""

from __future__ import annotations

from typing import Any

from zhtext.speakable import spoken_options, to_speakable

BOT_DOWN_MESSAGE = "抱歉，系统暂时忙，请稍后再说一遍，或说“转人工”。"
ACTIONS_DOWN_MESSAGE = (
    "抱歉，办事系统暂时出了故障，这件事现在办不了。"
    "请过几分钟再说一遍；要找工作人员帮您，请说“转人工”。"
)
PERSON_BUTTON = {"title": "转人工", "payload": "/request_human"}
PERSON_WORDS = frozenset({"转人工", "人工", "找人工", "人工服务", "转人工服务", "找工作人员"})


def asks_for_person(text: str, intent: str | None) -> bool:
    """Whether a turn the bot could not take asked for a person."""
    if intent == "request_human":
        return True
    words = "".join(text.split()).strip("。！!，,.?？")
    return words == PERSON_BUTTON["payload"] or words in PERSON_WORDS


def actions_down_payload() -> dict[str, Any]:
    """The message's payload: what is spoken, the 转人工 button, the code."""
    buttons = [dict(PERSON_BUTTON)]
    speech = to_speakable(ACTIONS_DOWN_MESSAGE) + spoken_options(buttons)
    return {"speech": speech, "buttons": buttons, "code": "actions_unavailable"}


def bot_down_payload() -> dict[str, Any]:
    """The payload of :data:`BOT_DOWN_MESSAGE`."""
    return {"speech": BOT_DOWN_MESSAGE, "code": "bot_unavailable"}
