"""教育缴费: find the student's open bills, read them out, and pay the one or those chosen.

Questions: the student number → the read-back: school and term, then the one open bill with
its items and total ("学费和住宿费，一共 2550.00 元。现在缴费吗？"), or how many are open, the
total and each one, and whether to pay all or one (:mod:`actions.services.paying`). No
identity is needed (the platform finds bills by student number); each payment carries an
Idempotency-Key per conversation and bill, so a repeated "对" never pays twice. The bills left
open are said at the end. A bill paid already is said so; one whose pay code was issued and
not used yet is told as waiting, with that same pay code.

``bill_id`` keeps the open bills (:meth:`~actions.services.paying.OpenBill.as_slot`, in due
order) and ``bill_total`` their total; ``education_confirmed`` is ``True`` for the one bill or
the ids of the bills chosen among several.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType

from actions import bindings
from actions.services.base import Service, Turn, says_forgotten, verify_instead, yes_or_no
from actions.services.paying import (
    CHOICE_HINT,
    OpenBill,
    ask_to_pay,
    chosen_bills,
    confirm_choice,
    item_names,
    not_now,
    open_bills,
    pay,
    read_back,
    settle_choice,
    total_of,
    what_items,
)
from platform_client import PlatformError
from platform_client.results import EducationBill
from zhtext import spoken as said
from zhtext.numbers import corrected_digits, format_amount, normalize_spoken_digits
from zhtext.speakable import spoken

STUDENT_ID_LENGTH = 10
_STUDENT_ID = re.compile(rf"(?<!\d)\d{{{STUDENT_ID_LENGTH}}}(?!\d)")
HOW_TO_PAY = ("请在支付应用里输入缴费码付款。", "付款后学校会收到，回执在支付应用里。")


def extract_student_id(text: Any) -> str | None:
    """The 10-digit student number in what the user said or typed, or None."""
    if not isinstance(text, str):
        return None
    match = _STUDENT_ID.search(corrected_digits(normalize_spoken_digits(text).replace(" ", "")))
    return match.group(0) if match else None


def open_bill(bill: EducationBill) -> OpenBill:
    """An education bill as it is said: its items and total."""
    names = [item.name for item in bill.items]
    return OpenBill(
        bill_id=bill.bill_id,
        what=what_items(names),
        amount=format_amount(bill.total),
        names=item_names(names),
    )


class EducationFee(Service):
    code = "education_fee"
    intent = "pay_education_fee"
    title = "交学费"
    requires_identity = False
    asked = ("student_id", "education_confirmed")
    kept = ("bill_id", "bill_total", "bill_school", "bill_term", "bill_chosen")

    def heard(self, turn: Turn) -> dict[str, Any]:
        text = turn.latest_text()
        student_id = extract_student_id(text)
        if student_id:
            return {"student_id": student_id}
        if "学号" in text and says_forgotten(text):
            return verify_instead(turn, "孩子要缴的费用")
        return {}

    def steps(self, turn: Turn) -> list[str]:
        if turn.slot("lookup_by_citizen") is True:
            return ["education_confirmed"]
        return list(self.asked)

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        """Verified, without the student number: the bills of the citizen's grandchildren and
        children that the platform knows."""
        if turn.slot("lookup_by_citizen") is not True:
            return {}
        try:
            bills = await turn.platform.education_bills(citizen=await turn.auth())
        except PlatformError as error:
            turn.explain(error)
            return {"service_done": True}
        unpaid = sorted(
            (b for b in bills if b.status == "unpaid"), key=lambda b: (b.due_date, b.bill_id)
        )
        if not unpaid:
            turn.say("没有查到您家孩子要缴的费用。")
            turn.say("如果孩子的学校不在这里，请说“转人工”。")
            return {"service_done": True}
        listed = [open_bill(bill) for bill in unpaid]
        return {
            "bill_id": [bill.as_slot() for bill in listed],
            "bill_total": total_of(listed),
            "bill_school": unpaid[0].school,
            "bill_term": unpaid[0].term,
            "education_confirmed": None,
        }

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "student_id":
            turn.say("好的，帮您交学费。请告诉我孩子的学号。", expect="digits:10")
        elif slot == "education_confirmed":
            bills = open_bills(turn.slot("bill_id"))
            if turn.slot("bill_chosen"):
                confirm_choice(turn, chosen_bills(turn.slot("bill_chosen"), bills))
                return
            turn.say(f"查到了：{turn.slot('bill_school')}，{turn.slot('bill_term')}。")
            read_back(turn, bills)
            ask_to_pay(turn, bills)

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "student_id":
            return await self._student_id(value, turn)
        if slot == "education_confirmed":
            return self._confirmed(value, turn)
        return None

    def _confirmed(self, value: Any, turn: Turn) -> dict[str, Any]:
        bills = open_bills(turn.slot("bill_id"))
        text = turn.latest_text()
        if len(bills) > 1:
            outcome, ids = settle_choice(value, text, bills, turn.slot("bill_chosen"))
            if outcome == "pay":
                return {"education_confirmed": ids}
            if outcome == "chosen":
                return {"bill_chosen": ids, "education_confirmed": None}
        if value is False or not_now(text):
            turn.say("好的，这次先不缴，没有扣任何钱。")
            return {"education_confirmed": False, "service_done": True}
        if yes_or_no(value, text) is True and len(bills) <= 1:
            return {"education_confirmed": True}
        turn.reject(CHOICE_HINT if len(bills) > 1 else "请说“对”或者“先不缴”。")
        return {"education_confirmed": None}

    async def _student_id(self, value: Any, turn: Turn) -> dict[str, Any]:
        student_id = (
            extract_student_id(turn.latest_text())
            or turn.entity("student_id")
            or extract_student_id(value)
        )
        if student_id is None and says_forgotten(turn.latest_text()):
            return {"student_id": None, **verify_instead(turn, "孩子要缴的费用")}
        if student_id is None:
            turn.reject("学号是10位数字。请再说一遍学号。")
            return {"student_id": None}
        try:
            bills = await turn.platform.education_bills(
                student_id=student_id, citizen=bindings.proxy(turn)
            )
        except PlatformError as error:
            turn.explain(error)
            return {"student_id": None}
        unpaid = sorted(
            (b for b in bills if b.status == "unpaid"), key=lambda b: (b.due_date, b.bill_id)
        )
        if not unpaid and any(b.status == "paid" for b in bills):
            turn.say("这笔费用已经缴过了，不用再缴。")
            turn.say("还有别的事要办吗？")
            return {"student_id": student_id, "service_done": True}
        if not unpaid:
            turn.reject(
                spoken("学号 ", said.digits(student_id), " 没有要缴的费用。请核对后再说一遍。")
            )
            return {"student_id": None}
        listed = [open_bill(bill) for bill in unpaid]
        return {
            "student_id": student_id,
            "bill_id": [bill.as_slot() for bill in listed],
            "bill_total": total_of(listed),
            "bill_school": unpaid[0].school,
            "bill_term": unpaid[0].term,
            "education_confirmed": None,
        }

    async def complete(self, turn: Turn) -> list[EventType]:
        bills = open_bills(turn.slot("bill_id"))
        chosen = chosen_bills(turn.slot("education_confirmed"), bills)
        await pay(
            turn,
            chosen,
            bills,
            payer="family",
            how=HOW_TO_PAY,
            again="交学费",
            citizen=bindings.proxy(turn),
        )
        return []


SERVICES = (EducationFee,)
