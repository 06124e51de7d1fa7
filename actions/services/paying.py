"""Paying bills: what each open bill is, the choice among several, one payment per bill, and
what is still open at the end.

A bill is said for what it is: its items (学费和住宿费) or its month (2026年10月的水费) with its
amount. When a student or an account has several open bills, the read-back says how many,
the total and each one (up to three; more are said as a count and a total), and asks whether
to pay all or one ("全部缴" / "只缴第一笔" / "先不缴"; a bill may also be named: "只缴餐费",
"第二笔", "十月的"). The platform takes one bill per payment (``POST /v1/payments``), so paying
all makes one payment per bill, each with its own pay code and Idempotency-Key; the bills left
open are said at the end ("还有一笔餐费 1452.00 元没缴。").

The open bills live in the service's bill slot as a list of :meth:`OpenBill.as_slot` values;
the answer to the read-back is ``True`` (the one bill) or the list of the chosen bill ids. A
choice among several is confirmed before anything is paid: the chosen bills and their total
are said back ("两笔，一共 1526.90 元。现在缴吗？", ACCESSIBILITY.md V10) and kept in
``bill_chosen`` until the "对".

The platform answers ``bill_already_paid`` both for a paid bill and, with the waiting payment
(``pending_payment``, platform_client/CONTRACT.md), for a bill whose pay code was issued and
not yet used. The second is told as what it is: not paid yet, pay with the same code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import cn2an

from actions.services.base import Button, Turn, yes_no
from platform_client import CitizenAuth, PlatformError
from platform_client.errors import BillAlreadyPaid
from platform_client.results import PendingPayment
from zhtext import spoken as said
from zhtext.numbers import format_amount
from zhtext.speakable import spoken

LISTED = 3
"""At most this many open bills are read out one by one (and offered as choices)."""
MAX_SENTENCE = 40

ALL_WORDS = ("全部", "全都", "都缴", "都交", "都付", "都要", "全缴", "全交", "一起", "所有", "统统")
NOT_NOW_WORDS = ("不缴", "不交", "先不", "不要", "不用", "算了", "不了")
ONE_BY_ONE_WORDS = ("一笔一笔", "一个一个", "一笔笔")
_ORDINAL = re.compile(r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*[笔个项张]?")
_MONTH = re.compile(r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月")
_LAST = ("最后一笔", "最后那笔")


@dataclass(frozen=True)
class OpenBill:
    """An unpaid bill as the conversation says it."""

    bill_id: str
    what: str
    """学费和住宿费, or 2026年10月的水费."""
    amount: str
    """Yuan with two decimals: 3050.00."""
    names: tuple[str, ...] = ()
    """Words that pick it among several ("学费", "住宿"); a month number for a utility bill."""
    month: int | None = None

    def as_slot(self) -> dict[str, Any]:
        """The bill as a slot value (JSON)."""
        return {
            "bill_id": self.bill_id,
            "what": self.what,
            "amount": self.amount,
            "names": list(self.names),
            "month": self.month,
        }

    @classmethod
    def from_slot(cls, value: Any) -> OpenBill | None:
        """The bill of :meth:`as_slot`, or None for anything else."""
        if not isinstance(value, dict) or not value.get("bill_id"):
            return None
        month = value.get("month")
        return cls(
            bill_id=str(value["bill_id"]),
            what=str(value.get("what") or "费用"),
            amount=format_amount(str(value.get("amount") or "0")),
            names=tuple(str(name) for name in value.get("names") or ()),
            month=int(month) if isinstance(month, int) else None,
        )


def item_names(names: Iterable[str]) -> tuple[str, ...]:
    """The words that name a bill's items: each name, and without 幼儿园 or the final 费
    when two characters or more are left ("幼儿园保育费" → 保育费, 保育)."""
    words: list[str] = []
    for name in names:
        for word in (name, name.removeprefix("幼儿园")):
            words.append(word)
            if word.endswith("费") and len(word) >= 3:
                words.append(word[:-1])
    return tuple(dict.fromkeys(words))


def what_items(names: Sequence[str]) -> str:
    """Items said together: 学费和住宿费, 学费、住宿费和餐费."""
    if len(names) <= 1:
        return "".join(names) or "费用"
    return f"{'、'.join(names[:-1])}和{names[-1]}"


def open_bills(value: Any) -> list[OpenBill]:
    """The open bills kept in a slot (:meth:`OpenBill.as_slot` values)."""
    if not isinstance(value, list):
        return []
    return [bill for bill in map(OpenBill.from_slot, value) if bill is not None]


def total_of(bills: Iterable[OpenBill]) -> str:
    """The sum of the bills' amounts, 4927.30."""
    return format_amount(sum((Decimal(bill.amount) for bill in bills), Decimal(0)))


def count_word(count: int) -> str:
    """两, 三 … for "两笔"."""
    return "两" if count == 2 else str(cn2an.an2cn(count))


def ordinal(index: int) -> str:
    """第一笔 for 0."""
    return f"第{cn2an.an2cn(index + 1)}笔"


def read_back(turn: Turn, bills: Sequence[OpenBill], *, kind: str = "费用") -> None:
    """What is open: the one bill with its amount, or how many, the total and each one."""
    if len(bills) == 1:
        turn.say(f"{bills[0].what}，一共 {bills[0].amount} 元。")
        return
    turn.say(f"有{count_word(len(bills))}笔{kind}没缴，一共 {total_of(bills)} 元。")
    if len(bills) <= LISTED:
        each = (f"{ordinal(i)}，{bill.what} {bill.amount} 元。" for i, bill in enumerate(bills))
        turn.say("".join(each))


def ask_to_pay(turn: Turn, bills: Sequence[OpenBill]) -> None:
    """The question after the read-back: pay the one bill, or which of several."""
    if len(bills) <= 1:
        turn.say("现在缴费吗？", yes_no("对，缴费", "先不缴"))
        return
    every: Button = ("全部缴", "全部缴")
    later: Button = ("先不缴", "/deny")
    if len(bills) <= LISTED:
        turn.say("全部缴，还是只缴其中一笔？", (every, ("只缴第一笔", "只缴第一笔"), later))
    else:
        turn.say("全部缴，还是一笔一笔缴？", (every, ("一笔一笔缴", "一笔一笔缴"), later))


def confirm_choice(turn: Turn, chosen: Sequence[OpenBill]) -> None:
    """Say back the bills chosen among several, with their total, and ask to pay."""
    if len(chosen) == 1:
        turn.say(f"只缴{chosen[0].what}，{chosen[0].amount} 元。")
    else:
        turn.say(f"{count_word(len(chosen))}笔都缴，一共 {total_of(chosen)} 元。")
    turn.say("现在缴费吗？", yes_no("对，缴费", "先不缴"))


def settle_choice(
    value: Any, text: str, bills: Sequence[OpenBill], pending: Any
) -> tuple[str, list[str] | None]:
    """The answer to the question about several bills: ``("pay", ids)`` after a choice was said
    back and confirmed, ``("chosen", ids)`` for a new choice (to be said back), ``("not_now",
    None)``, or ``("unclear", None)``."""
    chosen = choose(text, bills)
    if chosen and (not pending or {b.bill_id for b in chosen} != set(pending)):
        return "chosen", [bill.bill_id for bill in chosen]
    if pending and (value is True or chosen):
        return "pay", [str(bill_id) for bill_id in pending]
    if value is False or not_now(text):
        return "not_now", None
    return "unclear", None


CHOICE_HINT = "请说“全部缴”，或者说缴第几笔。"
"""How to answer the question of :func:`ask_to_pay` with several bills."""


def choose(text: str, bills: Sequence[OpenBill]) -> list[OpenBill] | None:
    """The bills an answer picks among several: all ("全部缴", "两笔都缴"), one by its place
    ("第二笔"), its items ("只缴餐费") or its month ("十月的"), the first of many ("一笔一笔缴");
    None when it picks none (a "不缴" or an unclear answer: the caller decides)."""
    answer = "".join(text.split())
    picked = _picked(answer, bills)
    if picked and "只" in answer:
        return picked
    if any(word in answer for word in NOT_NOW_WORDS):
        return None
    if any(word in answer for word in ALL_WORDS) or re.search(r"[两三四五六七八九十]笔都", answer):
        return list(bills)
    if picked:
        return picked
    if any(word in answer for word in ONE_BY_ONE_WORDS):
        return list(bills[:1])
    return None


def not_now(text: str) -> bool:
    """Whether the answer says not to pay now."""
    return any(word in text for word in NOT_NOW_WORDS)


def _picked(answer: str, bills: Sequence[OpenBill]) -> list[OpenBill]:
    places = {_number(match) - 1 for match in _ORDINAL.findall(answer)}
    if any(word in answer for word in _LAST):
        places.add(len(bills) - 1)
    months = {_number(match) for match in _MONTH.findall(answer)}
    return [
        bill
        for index, bill in enumerate(bills)
        if index in places
        or (bill.month is not None and bill.month in months)
        or any(name in answer for name in bill.names)
    ]


def _number(text: str) -> int:
    try:
        return int(text) if text.isdigit() else int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return 0


def chosen_bills(answer: Any, bills: Sequence[OpenBill]) -> list[OpenBill]:
    """The bills the answer to the read-back chose: all of them for ``True``, else those of the
    list of bill ids."""
    if isinstance(answer, list):
        ids = {str(bill_id) for bill_id in answer}
        return [bill for bill in bills if bill.bill_id in ids]
    return list(bills) if answer is True else []


async def pay(
    turn: Turn,
    chosen: Sequence[OpenBill],
    bills: Sequence[OpenBill],
    *,
    payer: str,
    how: Sequence[str],
    again: str,
    citizen: CitizenAuth | None = None,
) -> None:
    """One payment per chosen bill, each pay code said; then ``how`` to pay, and the bills
    still open (with ``again``, what to say to pay them later). ``citizen``: whom the
    payments are recorded for (a relative's binding), when anyone."""
    several = len(chosen) > 1
    if several:
        turn.say(f"好的，{count_word(len(chosen))}笔分开缴，每笔一个缴费码。")
    issued = False
    left = [bill for bill in bills if bill not in chosen]
    for index, bill in enumerate(chosen):
        try:
            key = turn.idempotency_key(bill.bill_id)
            payment = await turn.platform.create_payment(
                bill_id=bill.bill_id, payer=payer, idempotency_key=key, citizen=citizen
            )
        except BillAlreadyPaid as error:
            if error.pending is not None:
                say_pending(turn, error.pending, what=bill.what if several else "", how=not several)
                issued = True
            elif several:
                turn.say(f"{bill.what}已经缴过了。")
            else:
                turn.explain(error)
            continue
        except PlatformError as error:
            turn.explain(error)
            left = [b for b in bills if b not in chosen or b in chosen[index:]]
            break
        issued = True
        amount = format_amount(Decimal(payment.amount))
        if several:
            code = said.digits(payment.pay_code)
            turn.say(spoken(f"{bill.what} {amount} 元，缴费码是 ", code, "。"))
        else:
            turn.say(f"缴费单已生成：{bill.what}，{amount} 元。")
            turn.say(spoken("缴费码是 ", said.digits(payment.pay_code), "。"))
    if issued:
        for text in how:
            turn.say(text)
    say_still_open(turn, left, again=again)


def say_still_open(turn: Turn, left: Sequence[OpenBill], *, again: str) -> None:
    """The bills not paid this time: each with its amount (a count and total when many)."""
    if not left:
        return
    if len(left) == 1:
        turn.say(f"还有一笔{left[0].what} {left[0].amount} 元没缴。")
    else:
        count = count_word(len(left))
        listed = "，".join(f"{bill.what} {bill.amount} 元" for bill in left)
        whole = f"还有{count}笔没缴：{listed}。"
        if len(left) <= LISTED and len(whole) <= MAX_SENTENCE:
            turn.say(whole)
        elif len(left) <= LISTED:
            turn.say(
                f"还有{count}笔没缴。" + "".join(f"{bill.what} {bill.amount} 元。" for bill in left)
            )
        else:
            turn.say(f"还有{count}笔没缴，一共 {total_of(left)} 元。")
    turn.say(f"要缴的时候，再跟我说“{again}”。")


def say_pending(turn: Turn, pending: PendingPayment, *, what: str = "", how: bool = True) -> None:
    """The bill has a pay code already: say it again, and until when it works (``how``)."""
    turn.say(f"{what or '这笔费用'}已经生成过缴费码，还没有付款。")
    amount = f"，金额 {format_amount(pending.amount)} 元。"
    turn.say(spoken("缴费码还是 ", said.digits(pending.pay_code), amount))
    if not how:
        return
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
