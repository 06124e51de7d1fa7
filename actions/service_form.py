"""The one form every service runs in: ``service_form``.

- ``action_start_service`` (on any service intent) picks the service, clears what an earlier
  service left, keeps who was verified, and looks up what the questions depend on;
- ``validate_service_form`` decides the next question (identity first, then the service's
  own) and checks each answer; two unusable answers in a row offer the keypad and a person,
  the third hands over to staff (ACCESSIBILITY.md V2, V13);
- ``action_ask_<slot>`` asks one question; ``action_complete_service`` does the service on the
  platform when every answer is in and confirmed; ``action_cancel_service`` drops it.

One form means the conversation controls (repeat, slower, cancel, a person, what can you do)
need one rule each in ``bot/data/service_form.yml``, not one per service.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import bindings, identity
from actions.handoff import home_visit_instead, request_handoff, say_notice
from actions.instead import answer_not_leaving, answer_not_request, answered_instead
from actions.services import ALL_SERVICE_SLOTS, ASKED_SLOTS, by_code, by_intent
from actions.services.base import Service, Turn

logger = logging.getLogger(__name__)

CANCELLED = "好的，不办了，什么都没有提交。有事随时找我。"
FAILURES_BEFORE_OFFER = 2
FAILURES_BEFORE_HANDOFF = 3
FLOW_SLOTS = ("service_done", "field_failures", "escalate", "lookup_by_citizen")
"""Bookkeeping of the form itself."""
RESET_ON_START = (*ALL_SERVICE_SLOTS, *identity.IDENTITY_SLOTS, *identity.PROXY_SLOTS, *FLOW_SLOTS)


SWITCH_CONFIDENCE = 0.3
"""How sure the NLU must be that an unusable answer asks for another service (mixed sentences
like "不交学费了，我要查养老金" split their confidence between the two services)."""


async def start_service(turn: Turn, service: Service) -> None:
    """Begin ``service``: clear what an earlier one left, take what the request already said
    ("帮我妈交电费"), and look up what the questions depend on when nobody needs verifying."""
    start: dict[str, Any] = {slot: None for slot in RESET_ON_START}
    start["service"] = service.code
    for slot in service.slots:
        value = turn.entity(slot)
        if value is not None:
            start[slot] = value
    # Whom it is for comes from the request only, never from a later answer.
    start["relation"] = for_whom(turn)
    start.update(service.heard(turn))
    turn.updates.update(start)
    relation = start["relation"]
    for_relative = relation and relation != identity.SELF and service.proxy_allowed
    if for_relative and not service.own_questions:
        # A relative on WeChat: the standing binding it runs under (or a clear no).
        turn.updates.update(await bindings.for_service(turn, service, relation))
        if turn.slot("service_done"):
            return
    if not service.needs_identity(turn):
        # Answers given with the request ("学号7320291068交学费") are checked like any answer.
        for slot in service.asked:
            if start.get(slot) is not None:
                result = await service.validate(slot, start[slot], turn)
                turn.updates.update(result if result is not None else {})
        turn.failed = False
    if relation and relation != identity.SELF and not service.proxy_allowed:
        turn.say(f"{service.title}要本人来办，不能代办。")
        turn.updates["relation"] = identity.SELF
    if service.needs_identity(turn):
        # A verification whose token has expired since counts as none: ask again.
        turn.updates.update(await identity.lapsed(turn))
        if not identity.verified(turn, service):
            # "帮我查查养老金，身份证号是…": the number is taken, not asked for again.
            turn.updates.update(await identity.from_request(turn, service))
    if not service.needs_identity(turn) or identity.verified(turn, service):
        turn.updates.update(await service.prepare(turn))


BENEFICIARY_BEFORE = "帮替代给为"
"""A relative is the one the service is for after these (帮我妈, 给老伴) or before 的 (我妈的);
elsewhere a relative is only mentioned ("迁到女儿那里", "儿子让我交")."""


def for_whom(turn: Turn) -> str | None:
    """The relative the request is for ("帮我妈办…" → 母亲), or None for the speaker."""
    text = turn.latest_text()
    for entity in turn.tracker.latest_message.get("entities") or []:
        if entity.get("entity") != "relation" or entity.get("value") in (None, ""):
            continue
        start, end = int(entity.get("start") or 0), int(entity.get("end") or 0)
        before, after = text[max(0, start - 4) : start], text[end : end + 1]
        if any(mark in before for mark in BENEFICIARY_BEFORE) or after == "的":
            return str(entity["value"])
    return None


DROPPING = re.compile(
    r"^(算了|不弄了|不办了|不交了|不查了|先不|等一下|等等)|你先|先帮我|换一个|换个事"
)
"""Words that put the service in hand aside ("算了…你先帮我查查养老金")."""
DROPPING_CONFIDENCE = 0.15
"""With those words, a weaker reading of another service is enough to switch to it."""


def switch_to(turn: Turn) -> Service | None:
    """The other service an answer asks for: clearly, when the answer was unusable ("我不交了，
    我要查养老金"), or at all, when the person puts this one aside ("算了，你先帮我查查养老金")."""
    ranking = turn.tracker.latest_message.get("intent_ranking") or [
        turn.tracker.latest_message.get("intent") or {}
    ]
    dropping = bool(DROPPING.search(turn.latest_text()))
    if not turn.failed and not dropping:
        return None
    needed = DROPPING_CONFIDENCE if dropping else SWITCH_CONFIDENCE
    for intent in ranking[:3]:
        other = by_intent(str(intent.get("name") or ""))
        if other is None or other.code == turn.service_code:
            continue
        return other if float(intent.get("confidence") or 0.0) >= needed else None
    return None


def current_service(turn: Turn) -> Service | None:
    """The service the ``service`` slot names."""
    return by_code(turn.service_code)


class ValidateServiceForm(FormValidationAction):
    """The next question and the check of every answer, for every service."""

    def name(self) -> str:
        return "validate_service_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        turn = Turn(dispatcher, tracker)
        service = current_service(turn)
        if service is None or turn.slot("service_done") or turn.slot("escalate"):
            return []
        return [*identity.identity_steps(turn, service), *service.steps(turn)]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always name the next question (None ends the form), even when no service is left."""
        required = await self.required_slots([], dispatcher, tracker, domain)
        missing = (slot for slot in required if tracker.slots.get(slot) is None)
        return SlotSet("requested_slot", next(missing, None))

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """No custom extraction: the domain's mappings fill every slot."""
        return []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        service = current_service(turn)
        if service is None:
            return []
        requested = tracker.get_slot("requested_slot")
        validated = False
        if service.needs_identity(turn) and requested not in identity.ASKED_IDENTITY_SLOTS:
            # The token expired during the service: verify again before going on.
            turn.updates.update(await identity.lapsed(turn))
        identifying = bool(identity.identity_steps(turn, service))
        for slot, value in tracker.slots_to_validate().items():
            if value is None:
                continue
            if slot != requested and slot not in service.slots:
                continue
            validated = True
            result = await service.answered_otherwise(slot, value, turn)
            if result is not None:
                pass
            elif service.own_questions:
                # A service that asks identity-like questions for its own ends (the binding).
                result = await service.validate(slot, value, turn)
            else:
                result = await identity.validate(slot, value, turn, service)
                if result is None:
                    result = await service.validate(slot, value, turn)
            turn.updates.update(result if result is not None else {slot: value})
            if identifying and not identity.identity_steps(turn, service):
                # The person is known now (and the proxy authorized): look up what the
                # service's questions depend on.
                identifying = False
                if not turn.slot("service_done") and service.needs_identity(turn):
                    turn.updates.update(await service.prepare(turn))
        if not validated:
            # Nothing to check (e.g. "再说一遍"): say so, so that the form lets the rules answer.
            return []
        other = switch_to(turn)
        if other is not None:
            # Start over with what was asked for; the form goes on with its questions.
            turn.dispatcher.messages.clear()
            turn.failed = False
            turn.updates.clear()
            logger.info("actions.service.switch to=%s", other.code)
            await start_service(turn, other)
        else:
            turn.updates.update(self._ladder(turn, requested))
        for key, value in turn.updates.items():
            tracker.slots[key] = value
        return [SlotSet(key, value) for key, value in turn.updates.items()]

    @staticmethod
    def _ladder(turn: Turn, requested: Any) -> dict[str, Any]:
        """Count unusable answers to the same question; offer help, then a person."""
        if not turn.failed:
            return {"field_failures": None} if turn.slot("field_failures") else {}
        failures = int(turn.slot("field_failures") or 0) + 1
        if failures >= FAILURES_BEFORE_HANDOFF:
            turn.say("抱歉，我几次都没听清，我请工作人员来帮您。")
            return {"field_failures": None, "escalate": True}
        if failures >= FAILURES_BEFORE_OFFER:
            turn.say("数字也可以用键盘按。要找人帮忙，请说“转人工”。")
        logger.info("actions.form.unusable_answer slot=%s failures=%d", requested, failures)
        return {"field_failures": failures}


class ActionStartService(Action):
    """A service intent: start that service (or start over with another)."""

    def name(self) -> str:
        return "action_start_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        if intent == "book_appointment":
            visit = await home_visit_instead(dispatcher, tracker)
            if visit is not None:
                return visit
        answer = await answer_not_request(dispatcher, tracker)
        if answer is not None:
            return answer
        service = by_intent(intent) or by_code(str(tracker.get_slot("service") or ""))
        turn = Turn(dispatcher, tracker)
        if service is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return [SlotSet("service_done", True)]
        service = by_code(service.rather(turn) or service.code) or service
        await start_service(turn, service)
        logger.info("actions.service.start service=%s", service.code)
        events: list[EventType] = [SlotSet(key, value) for key, value in turn.updates.items()]
        if by_intent(intent) is None:
            # Started by "对" to an offer, not by the request itself: no rule runs the form.
            events.append(FollowupAction("service_form"))
        return events


SERVICE_ENTITIES = (
    ("account_number", "utility_payment"),
    ("utility_type", "utility_payment"),
    ("student_id", "education_fee"),
    ("school", "education_fee"),
    ("application_number", "application_status"),
    ("certificate_type", "e_certificate"),
)
"""Entities that name the service an answer is about when no question was asked."""


class ActionAnswerWithoutQuestion(Action):
    """An answer when no question was asked ("那我交燃气费，户号6280814050" read as an answer):
    the service its numbers or words belong to, started with them; else "what can I do"."""

    def name(self) -> str:
        return "action_answer_without_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        service = next(
            (by_code(code) for entity, code in SERVICE_ENTITIES if turn.entity(entity)), None
        )
        if service is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        await start_service(turn, service)
        logger.info("actions.service.start service=%s by=answer", service.code)
        return [
            *(SlotSet(key, value) for key, value in turn.updates.items()),
            FollowupAction("service_form"),
        ]


class ActionCompleteService(Action):
    """Every answer is in: do the service, or hand over, or end quietly when it is done."""

    def name(self) -> str:
        return "action_complete_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        service = current_service(turn)
        events: list[EventType] = []
        if tracker.get_slot("escalate"):
            say_notice(dispatcher, await request_handoff(tracker, reason="misunderstood"))
        elif service is not None and not tracker.get_slot("service_done"):
            events = await service.complete(turn)
            logger.info("actions.service.complete service=%s", service.code)
        return [*events, *clear_service()]


class ActionCancelService(Action):
    """ "不办了" drops the service and everything asked for it; nothing was submitted."""

    def name(self) -> str:
        return "action_cancel_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        skipped = await answered_instead(
            dispatcher, tracker, questions=OPTIONAL_QUESTIONS, means=declines_to_give
        )
        if skipped is not None:
            return skipped
        answer = await answer_not_leaving(dispatcher, tracker)
        if answer is not None:
            return answer
        dispatcher.utter_message(text=CANCELLED)
        return [*clear_service(), SlotSet("pending_action", None)]


OPTIONAL_QUESTIONS = ("complaint_phone", "complaint_location")
"""Questions a person may decline ("电话就不留了"): declining answers them, it does not cancel."""
_DECLINE = re.compile(r"不留|不用留|不说|不讲|不要留|不想留|就不")


def declines_to_give(text: str) -> bool:
    """Whether ``text`` declines to give what was asked ("电话就不留了")."""
    return bool(_DECLINE.search(text)) and not re.search(r"不办|不投诉|不提了|不要了", text)


def clear_service() -> list[EventType]:
    """Forget the service's answers; keep who was verified (their token, in the citizen
    sessions, lives 30 minutes)."""
    return [
        *(SlotSet(slot, None) for slot in RESET_ON_START),
        SlotSet("requested_slot", None),
        SlotSet("service", None),
    ]


class _AskAction(Action):
    """``action_ask_<slot>``: one question, from identity or the current service."""

    slot_name = ""

    def name(self) -> str:
        return f"action_ask_{self.slot_name}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        service = current_service(turn)
        if service is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        if service.own_questions or not await identity.ask(self.slot_name, turn, service):
            await service.ask(self.slot_name, turn)
        return [SlotSet(key, value) for key, value in turn.updates.items()]


def _ask_action(slot: str) -> type[Action]:
    return type(f"ActionAsk_{slot}", (_AskAction,), {"slot_name": slot})


ASK_ACTIONS = [
    _ask_action(slot)
    for slot in dict.fromkeys(
        (*ASKED_SLOTS, *identity.ASKED_IDENTITY_SLOTS, *identity.ASKED_PROXY_SLOTS)
    )
]
"""One ask action per question (rasa-sdk registers every Action subclass it imports)."""
