"""Saying that a bill's payment is waiting: the pay code already issued, never a new order.

The platform answers ``bill_already_paid`` both for a paid bill and, with the waiting payment
(``pending_payment``, platform_client/CONTRACT.md), for a bill whose pay code was issued and
not yet used. The second is told as what it is: not paid yet, pay with the same code.
"""

from __future__ import annotations

from datetime import datetime

from actions.services.base import Turn
from platform_client.results import PendingPayment
from zhtext import spoken as said
from zhtext.numbers import format_amount
from zhtext.speakable import spoken


def say_pending(turn: Turn, pending: PendingPayment) -> None:
    """The bill has a pay code already: say it again, and until when it works."""
    turn.say("这笔费用已经生成过缴费码，还没有付款。")
    amount = f"，金额 {format_amount(pending.amount)} 元。"
    turn.say(spoken("缴费码还是 ", said.digits(pending.pay_code), amount))
    until = _clock_time(pending.expires_at)
    where = "在支付应用里输入缴费码付款。"
    turn.say(f"请在{until}前，{where}" if until else f"请{where}")


def _clock_time(iso: str | None) -> str:
    """14:35 of an ISO time (Beijing time, as the platform sends it) as 14点35分."""
    try:
        moment = datetime.fromisoformat(iso or "")
    except ValueError:
        return ""
    return f"{moment.hour}点{moment.minute:02d}分" if moment.minute else f"{moment.hour}点"
