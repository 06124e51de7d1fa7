"""Education fees (教育缴费): find the student's unpaid bill, confirm it, create the payment.

Flow: ``education_fee_form`` asks for the student number → ``validate_education_fee_form``
normalises it and looks the bill up on the platform → ``action_offer_education_payment`` reads
the bill out and asks to confirm → on "对" ``action_confirm_pending`` (see ``confirmation.py``)
calls :func:`pay_education_bill`.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.explain import explain
from actions.platform import PlatformError
from actions.platform.runtime import platform_client
from voice.numbers import format_amount, normalize_spoken_digits

STUDENT_ID_LENGTH = 10
PENDING_PAY_EDUCATION = "pay_education_bill"
_STUDENT_ID = re.compile(rf"(?<!\d)\d{{{STUDENT_ID_LENGTH}}}(?!\d)")
BILL_SLOTS = ("student_id", "bill_id", "bill_total", "bill_school", "bill_term")


def extract_student_id(text: Any) -> str | None:
    """The 10-digit student number in what the user said or typed, or None."""
    if not isinstance(text, str):
        return None
    match = _STUDENT_ID.search(normalize_spoken_digits(text))
    return match.group(0) if match else None


def idempotency_key(sender_id: str, bill_id: str) -> str:
    """One key per conversation and bill: a repeated "对" never pays twice."""
    return hashlib.sha256(f"banshi:{sender_id}:{bill_id}".encode()).hexdigest()[:40]


class ValidateEducationFeeForm(FormValidationAction):
    """Normalises the student number and looks up the unpaid bill before the form ends."""

    def name(self) -> str:
        return "validate_education_fee_form"

    async def validate_student_id(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accept a student number only when it has an unpaid bill; else say why and re-ask."""
        student_id = extract_student_id(slot_value)
        if student_id is None:
            dispatcher.utter_message(response="utter_student_id_invalid")
            return {"student_id": None}
        try:
            bills = await platform_client().education_bills(student_id=student_id)
        except PlatformError as error:
            for text in explain(error):
                dispatcher.utter_message(text=text)
            return {"student_id": None}
        unpaid = sorted((b for b in bills if b.status == "unpaid"), key=lambda b: b.due_date)
        if not unpaid:
            dispatcher.utter_message(response="utter_no_unpaid_bill", student_id=student_id)
            return {"student_id": None}
        bill = unpaid[0]
        return {
            "student_id": student_id,
            "bill_id": bill.bill_id,
            "bill_total": str(bill.total),
            "bill_school": bill.school,
            "bill_term": bill.term,
        }


class ActionOfferEducationPayment(Action):
    """Reads the bill out (school, term, total) and asks to confirm the payment."""

    def name(self) -> str:
        return "action_offer_education_payment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        total = tracker.get_slot("bill_total")
        if not tracker.get_slot("bill_id") or total is None:
            dispatcher.utter_message(response="utter_ask_student_id")
            return []
        dispatcher.utter_message(
            text=f"查到了：{tracker.get_slot('bill_school')}，{tracker.get_slot('bill_term')}。"
        )
        dispatcher.utter_message(text=f"一共 {format_amount(total)} 元。")
        dispatcher.utter_message(response="utter_confirm_education_payment")
        return [SlotSet("pending_action", PENDING_PAY_EDUCATION)]


async def pay_education_bill(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Create the payment for the confirmed bill and give the pay code."""
    bill_id = tracker.get_slot("bill_id")
    clear = [SlotSet("pending_action", None), *(SlotSet(slot, None) for slot in BILL_SLOTS)]
    if not bill_id:
        dispatcher.utter_message(response="utter_ask_student_id")
        return clear
    try:
        payment = await platform_client().create_payment(
            bill_id=str(bill_id), idempotency_key=idempotency_key(tracker.sender_id, str(bill_id))
        )
    except PlatformError as error:
        for text in explain(error):
            dispatcher.utter_message(text=text)
        return clear
    dispatcher.utter_message(
        text=f"缴费单已生成，金额 {format_amount(Decimal(payment.amount))} 元。"
    )
    dispatcher.utter_message(text=f"缴费码是 {payment.pay_code}。")
    dispatcher.utter_message(response="utter_pay_code_howto")
    return clear
