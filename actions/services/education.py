"""教育缴费: find the student's unpaid bill, read it out, and on "对" create the payment.

Questions: the student number → the read-back of school, term and total ("现在缴费吗？").
No identity is needed (the platform finds bills by student number); the payment carries an
Idempotency-Key per conversation and bill, so a repeated "对" never pays twice. A bill paid
already is said so; one whose pay code was issued and not used yet is told as waiting, with
that same pay code (:mod:`actions.services.paying`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rasa_sdk.events import EventType

from actions.services.base import Service, Turn, yes_no
from actions.services.paying import say_pending
from platform_client import PlatformError
from platform_client.errors import BillAlreadyPaid
from zhtext import spoken as said
from zhtext.numbers import format_amount, normalize_spoken_digits
from zhtext.speakable import spoken

STUDENT_ID_LENGTH = 10
_STUDENT_ID = re.compile(rf"(?<!\d)\d{{{STUDENT_ID_LENGTH}}}(?!\d)")


def extract_student_id(text: Any) -> str | None:
    """The 10-digit student number in what the user said or typed, or None."""
    if not isinstance(text, str):
        return None
    match = _STUDENT_ID.search(normalize_spoken_digits(text).replace(" ", ""))
    return match.group(0) if match else None


class EducationFee(Service):
    code = "education_fee"
    intent = "pay_education_fee"
    title = "交学费"
    requires_identity = False
    asked = ("student_id", "education_confirmed")
    kept = ("bill_id", "bill_total", "bill_school", "bill_term")

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "student_id":
            turn.say("好的，帮您交学费。请告诉我孩子的学号。")
        elif slot == "education_confirmed":
            turn.say(f"查到了：{turn.slot('bill_school')}，{turn.slot('bill_term')}。")
            turn.say(f"一共 {format_amount(turn.slot('bill_total'))} 元。")
            turn.say("现在缴费吗？", yes_no("对，缴费", "先不缴"))

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "student_id":
            return await self._student_id(value, turn)
        if slot == "education_confirmed":
            if value is True:
                return {"education_confirmed": True}
            if value is False:
                turn.say("好的，这次先不缴，没有扣任何钱。")
                return {"education_confirmed": False, "service_done": True}
            turn.reject("请说“对”或者“先不缴”。")
            return {"education_confirmed": None}
        return None

    async def _student_id(self, value: Any, turn: Turn) -> dict[str, Any]:
        student_id = turn.entity("student_id") or extract_student_id(value)
        if student_id is None:
            turn.reject("学号是10位数字。请再说一遍学号。")
            return {"student_id": None}
        try:
            bills = await turn.platform.education_bills(student_id=student_id)
        except PlatformError as error:
            turn.explain(error)
            return {"student_id": None}
        unpaid = sorted((b for b in bills if b.status == "unpaid"), key=lambda b: b.due_date)
        if not unpaid and any(b.status == "paid" for b in bills):
            turn.say("这笔费用已经缴过了，不用再缴。")
            turn.say("还有别的事要办吗？")
            return {"student_id": student_id, "service_done": True}
        if not unpaid:
            turn.reject(
                spoken("学号 ", said.digits(student_id), " 没有要缴的费用。请核对后再说一遍。")
            )
            return {"student_id": None}
        bill = unpaid[0]
        return {
            "student_id": student_id,
            "bill_id": bill.bill_id,
            "bill_total": str(bill.total),
            "bill_school": bill.school,
            "bill_term": bill.term,
        }

    async def complete(self, turn: Turn) -> list[EventType]:
        bill_id = str(turn.slot("bill_id"))
        try:
            payment = await turn.platform.create_payment(
                bill_id=bill_id, idempotency_key=turn.idempotency_key(bill_id)
            )
        except BillAlreadyPaid as error:
            if error.pending is None:
                turn.explain(error)
            else:
                say_pending(turn, error.pending)
            return []
        except PlatformError as error:
            turn.explain(error)
            return []
        turn.say(f"缴费单已生成，金额 {format_amount(Decimal(payment.amount))} 元。")
        turn.say(spoken("缴费码是 ", said.digits(payment.pay_code), "。"))
        turn.say("请在支付应用里输入缴费码付款。")
        turn.say("付款后学校会收到，回执在支付应用里。")
        return []


SERVICES = (EducationFee,)
