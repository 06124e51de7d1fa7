"""A person one step away: the actions that ask the gateway for staff, and the greeting after.

- ``action_request_human`` ("转人工" at any turn, inside forms too) and
  ``action_report_fraud_risk`` (a warning first, then a person with high priority) call the
  gateway's ``POST /api/handoffs`` with the service token (DESIGN.md §4.4) and say the notice it
  returns: the citizen's place in the queue and the estimated wait, or a call-back offer.
- ``action_misunderstood`` is the misunderstanding ladder (ACCESSIBILITY.md V2): the first miss
  asks to rephrase, the second rephrases more simply and offers a person, the third hands off.
- ``action_handoff_returned`` greets the citizen again when staff hand the conversation back,
  with what staff did (the ``handoff_summary`` slot the gateway sets before it runs the action).

Other actions can hand off too (e.g. on a platform outage) with :func:`request_handoff`.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.config import ActionConfig
from actions.confirmation import said_again

logger = logging.getLogger(__name__)

# What these actions say (kept here, not as domain responses: only these actions say them).
HANDOFF_FAILED = "抱歉，现在转不了人工。您可以拨打12345热线，或者稍后再说“转人工”。"
FRAUD_WARNING = (
    "请先停一下：不要转账，不要告诉别人验证码和密码。",
    "也不要按对方说的下载软件。政府工作人员不会让您转账。",
)
OUT_OF_SCOPE = "抱歉，这件事我还帮不上忙。"
NOT_UNDERSTOOD = "抱歉，我没听明白。"
REPHRASE = "您可以说“查养老金”，或者说“我能办什么”。"
MISUNDERSTOOD_TWICE = "我换个简单的问法：您要办什么事？用几个字说就行。也可以找工作人员帮您。"
MISUNDERSTOOD_TWICE_BUTTONS = [
    {"title": "转人工", "payload": "/request_human"},
    {"title": "查养老金", "payload": "/query_pension"},
    {"title": "我能办什么", "payload": "/ask_capabilities"},
]
MISUNDERSTOOD_HANDOFF = "抱歉，我几次都没听明白，我请工作人员来帮您。"
WELCOME_BACK = "您好，我是办事小助手，又回来为您服务了。"

MISUNDERSTANDINGS_BEFORE_HANDOFF = 3
GATEWAY_TIMEOUT_S = 3.0
# Slots that are bookkeeping, not data the citizen gave: not shown to staff.
_INTERNAL_SLOTS = {
    "requested_slot",
    "pending_action",
    "session_started_metadata",
    "citizen_verified",
    "verification_id",
    "proxy_authorization_id",
    "sms_code",
    "field_failures",
    "escalate",
    "service_done",
}


@lru_cache(maxsize=1)
def _config() -> ActionConfig:
    """The action server's configuration (read once, from the variables the runner exports)."""
    return ActionConfig.from_env()


def collected_data(tracker: Tracker) -> dict[str, Any]:
    """What the citizen told the bot so far (the gateway masks it before staff see it)."""
    return {
        name: value
        for name, value in tracker.current_slot_values().items()
        if value not in (None, "", [], {}) and name not in _INTERNAL_SLOTS
    }


AGENCY_DISTRICT = "agency_district"
"""Metadata the gateway itself adds to a turn (the kiosk's agency point); clients cannot set it."""


def _citizen(tracker: Tracker) -> dict[str, Any]:
    """Age and district for the queue, from verified data only: the identity verification's
    ``citizen_age`` and ``citizen_district`` slots, else the district of the kiosk's agency
    point. Nothing a client sends (other metadata, text) sets the priority or the district:
    without a known district the handoff goes to the supervisors, who route it."""
    metadata = tracker.latest_message.get("metadata") or {}
    age = tracker.get_slot("citizen_age")
    district = tracker.get_slot("citizen_district") or metadata.get(AGENCY_DISTRICT) or ""
    try:
        age_value = int(age) if age is not None else None
    except (TypeError, ValueError):
        age_value = None
    return {"age": age_value, "district": str(district).strip()[:64]}


async def request_handoff(
    tracker: Tracker,
    *,
    reason: str,
    priority: str | None = None,
    detail: str = "",
    config: ActionConfig | None = None,
) -> dict[str, Any] | None:
    """Ask the gateway for a person for this conversation; its answer, or None if it failed.

    ``reason`` is one of the gateway's reasons (requested, misunderstood, fraud_risk,
    platform_outage, needs_person …).
    """
    config = config or _config()
    metadata = tracker.latest_message.get("metadata") or {}
    body: dict[str, Any] = {
        "conversation_id": tracker.sender_id,
        "reason": reason,
        "citizen": _citizen(tracker),
        "detail": detail,
        "collected": collected_data(tracker),
        "accessibility": metadata.get("accessibility") or {},
    }
    if priority:
        body["priority"] = priority
    try:
        async with httpx.AsyncClient(timeout=GATEWAY_TIMEOUT_S) as client:
            response = await client.post(
                f"{config.gateway_url}/api/handoffs",
                json=body,
                headers={"Authorization": f"Bearer {config.service_token}"},
            )
    except httpx.HTTPError as error:
        logger.error("actions.handoff.unreachable error=%s", type(error).__name__)
        return None
    if response.status_code not in (200, 201):
        code = response.json().get("error", {}).get("code") if response.content else ""
        logger.error("actions.handoff.refused status=%s code=%s", response.status_code, code)
        return None
    answer: dict[str, Any] = response.json()
    logger.info("actions.handoff.requested reason=%s created=%s", reason, answer.get("created"))
    return answer


def say_notice(dispatcher: CollectingDispatcher, answer: dict[str, Any] | None) -> None:
    if answer is None:
        dispatcher.utter_message(text=HANDOFF_FAILED)
        return
    notice = answer.get("notice") or {}
    dispatcher.utter_message(text=str(notice.get("text", "")), buttons=notice.get("buttons") or [])


class ActionRequestHuman(Action):
    """The citizen asked for a person: queue the conversation and say where they are."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        visit = await home_visit_instead(dispatcher, tracker)
        if visit is not None:
            return visit
        say_notice(dispatcher, await request_handoff(tracker, reason="requested"))
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


HOME_VISIT_ANSWERS = ("certification_method", "appointment_place")
"""Questions a home visit answers: a person asked to come home is the answer, not a handoff."""


async def home_visit_instead(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """ "叫个人到我家里来帮我弄", said when asked how to certify or where to go, asks for a home
    visit: answer the question with it and go on with the service; None when it is not that."""
    from actions.instead import answered_instead
    from actions.services.when_where import wants_home_visit

    return await answered_instead(
        dispatcher, tracker, questions=HOME_VISIT_ANSWERS, means=wants_home_visit
    )


class ActionReportFraudRisk(Action):
    """Someone may be cheating the citizen: warn plainly, then a person with high priority."""

    def name(self) -> str:
        return "action_report_fraud_risk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        for text in FRAUD_WARNING:
            dispatcher.utter_message(text=text)
        answer = await request_handoff(
            tracker,
            reason="fraud_risk",
            priority="high",
            detail=tracker.latest_message.get("text", "")[:200],
        )
        say_notice(dispatcher, answer)
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


MISSES = ("nlu_fallback", "out_of_scope")


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages in a row the bot could not act on (not understood,
    or something it cannot do)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") not in MISSES:
            break
        count += 1
    return count


class ActionMisunderstood(Action):
    """The misunderstanding ladder: rephrase; rephrase simply and offer a person; hand off."""

    def name(self) -> str:
        return "action_misunderstood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if said_again(dispatcher, tracker):
            return []
        misses = misunderstandings_in_a_row(tracker)
        if misses >= MISUNDERSTANDINGS_BEFORE_HANDOFF:
            dispatcher.utter_message(text=MISUNDERSTOOD_HANDOFF)
            say_notice(dispatcher, await request_handoff(tracker, reason="misunderstood"))
        elif misses == MISUNDERSTANDINGS_BEFORE_HANDOFF - 1:
            dispatcher.utter_message(text=MISUNDERSTOOD_TWICE, buttons=MISUNDERSTOOD_TWICE_BUTTONS)
        else:
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            first = OUT_OF_SCOPE if intent == "out_of_scope" else NOT_UNDERSTOOD
            dispatcher.utter_message(text=first)
            dispatcher.utter_message(text=REPHRASE)
        return []


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def summary_sentences(summary: str) -> list[str]:
    """What staff wrote, whole, one sentence a message (a long summary is easier to hear, and
    to read on a small screen, a sentence at a time): the first says who did it."""
    parts = [p.strip().rstrip("。！？；!?;，,") for p in _SENTENCE_END.split(summary)]
    sentences = [p for p in parts if p]
    if not sentences:
        return []
    first, *rest = sentences
    return [f"刚才工作人员帮您：{first}。", *(f"{sentence}。" for sentence in rest)]


class ActionHandoffReturned(Action):
    """Staff handed the conversation back: greet again, say what was done, ask what is next."""

    def name(self) -> str:
        return "action_handoff_returned"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        summary = str(tracker.get_slot("handoff_summary") or "").strip()
        dispatcher.utter_message(text=WELCOME_BACK)
        for sentence in summary_sentences(summary):
            dispatcher.utter_message(text=sentence)
        dispatcher.utter_message(response="utter_how_can_i_help")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("pending_action", None),
            SlotSet("handoff_summary", None),
        ]
