"""水电燃气缴费: find the open bills of an account, read them out, and pay the one or those
chosen.

Questions: which bill (water, electricity or gas) → the 10-digit account number (户号) → the
read-back of account (last four digits), month and amount ("现在缴费吗？"), or, for an account
with several open months, how many, the total and each month, and whether to pay all or one
(:mod:`actions.services.paying`). No identity is needed: the platform finds bills by account
number. "不对" at the read-back asks for the account number again; "先不缴" ends with nothing
charged. Each payment carries an Idempotency-Key per conversation and bill, so a repeated "对"
never pays twice; a bill whose pay code was issued and not used yet is told as waiting, with
that same pay code; the months left open are said at the end.

A person who does not have the account number ("户号我记不住") verifies who they are instead,
and hears the open bills of every account the platform has for them (water, electricity and
gas together); a choice among several is said back with its total before it is paid.

``utility_bill_id`` keeps the open bills (oldest first), ``utility_amount`` their total and
``utility_period`` the oldest month; ``utility_confirmed`` is ``True`` for the one bill or the
ids of the bills chosen among several.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType

from actions import bindings
from actions.services.base import Service, Turn, says_forgotten, verify_instead
from actions.services.paying import (
    CHOICE_HINT,
    OpenBill,
    ask_to_pay,
    chosen_bills,
    confirm_choice,
    count_word,
    open_bills,
    ordinal,
    pay,
    read_back,
    settle_choice,
    total_of,
)
from platform_client import PlatformError
from platform_client.results import UtilityBill
from zhtext import spoken as said
from zhtext.numbers import format_amount, normalize_spoken_digits
from zhtext.speakable import spoken

ACCOUNT_LENGTH = 10
_ACCOUNT = re.compile(rf"(?<!\d)\d{{{ACCOUNT_LENGTH}}}(?!\d)")

UTILITY_TYPES = ("water", "electricity", "gas")
NAMES = {"water": "水费", "electricity": "电费", "gas": "燃气费"}
COMPANIES = {"water": "自来水公司", "electricity": "供电公司", "gas": "燃气公司"}
_WORDS = {
    "gas": ("燃气", "煤气", "天然气", "气费", "气表"),
    "water": ("水",),
    "electricity": ("电",),
}
"""Words that name each kind of bill (gas first: its words hold neither 水 nor 电)."""
_NOT_ELECTRICITY = ("电话", "电梯", "电视", "电脑")
_WRONG = ("不对", "错", "不是")
_NOT_NOW = ("不缴", "不交", "先不", "不要", "不用", "算了", "不了")
_YES = ("缴", "交", "好", "行", "可以")
PAY_CODE_MINUTES = 30
"""How long a pay code can be used (the platform expires pending payments after 30 minutes)."""


def utility_type_in(text: Any) -> str | None:
    """The one kind of bill named in ``text`` ("交电费" → electricity), or None when none or
    several are named ("水电费")."""
    found = utility_types_in(text)
    return found[0] if len(found) == 1 else None


def utility_types_in(text: Any) -> list[str]:
    """Every kind of bill named in ``text`` ("水电燃气" → water, electricity, gas)."""
    said = str(text or "")
    for word in _NOT_ELECTRICITY:
        said = said.replace(word, "")
    if said in UTILITY_TYPES:
        return [said]
    return [kind for kind, words in _WORDS.items() if any(word in said for word in words)]


def utility_type_of(turn: Turn, value: Any) -> str | None:
    """The kind of bill of this turn, when the ``utility_type`` entities and the words of the
    answer name only one."""
    kinds = {
        str(entity.get("value"))
        for entity in turn.tracker.latest_message.get("entities") or []
        if entity.get("entity") == "utility_type" and entity.get("value") in UTILITY_TYPES
    }
    kinds.update(utility_types_in(value))
    return kinds.pop() if len(kinds) == 1 else None


def extract_account_number(text: Any) -> str | None:
    """The 10-digit account number (户号) in what was said or typed, or None."""
    if not isinstance(text, str):
        return None
    match = _ACCOUNT.search(normalize_spoken_digits(text).replace(" ", ""))
    return match.group(0) if match else None


def period_words(period: str) -> str:
    """2026-10 → 2026年10月."""
    return f"{period[:4]}年{int(period[5:7])}月" if len(period) >= 7 else period


def open_bill(bill: UtilityBill) -> OpenBill:
    """A utility bill as it is said: its month and kind, and its amount."""
    month = int(bill.period[5:7]) if len(bill.period) >= 7 and bill.period[5:7].isdigit() else None
    return OpenBill(
        bill_id=bill.bill_id,
        what=f"{period_words(bill.period)}的{NAMES.get(bill.type, '费用')}",
        amount=format_amount(bill.amount),
        month=month,
    )


class UtilityPayment(Service):
    code = "utility_payment"
    intent = "pay_utility_bill"
    title = "交水电燃气费"
    requires_identity = False
    asked = ("utility_type", "utility_account", "utility_confirmed")
    kept = ("utility_bill_id", "utility_amount", "utility_period", "bill_chosen")

    def heard(self, turn: Turn) -> dict[str, Any]:
        text = turn.latest_text()
        if "号" in text and says_forgotten(text) and extract_account_number(text) is None:
            return verify_instead(turn, "家里要缴的费用")
        return {}

    def steps(self, turn: Turn) -> list[str]:
        if turn.slot("lookup_by_citizen") is True:
            return ["utility_confirmed"]
        return list(self.asked)

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        """What the request already said: the kind of bill, maybe the account number; or,
        verified without the account number, the open bills of all the citizen's accounts."""
        if turn.slot("lookup_by_citizen") is True:
            return await self._citizens_bills(turn)
        kind = utility_type_of(turn, turn.latest_text())
        turn.updates["utility_type"] = kind
        account = turn.entity("account_number")
        if account is None:
            return {"utility_type": kind}
        return {"utility_type": kind, **await self._account(account, turn)}

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "utility_type":
            turn.say(
                "好的，帮您交费。要交水费、电费，还是燃气费？",
                (("水费", "水费"), ("电费", "电费"), ("燃气费", "燃气费")),
            )
        elif slot == "utility_account":
            name = NAMES.get(str(turn.slot("utility_type")), "")
            turn.say(f"请说{name}的户号，是10位数字，缴费单上有。", expect="digits:10")
        elif slot == "utility_confirmed":
            bills = open_bills(turn.slot("utility_bill_id"))
            if turn.slot("bill_chosen"):
                confirm_choice(turn, chosen_bills(turn.slot("bill_chosen"), bills))
                return
            if turn.slot("lookup_by_citizen") is True:
                read_back(turn, bills)
                ask_to_pay(turn, bills)
                return
            kind = NAMES.get(str(turn.slot("utility_type")), "费用")
            tail = said.digits(str(turn.slot("utility_account"))[-4:])
            bills = open_bills(turn.slot("utility_bill_id"))
            if len(bills) == 1:
                turn.say(spoken("户号尾号 ", tail, f"，{bills[0].what} {bills[0].amount} 元。"))
            else:
                count = count_word(len(bills))
                total = total_of(bills)
                turn.say(spoken("户号尾号 ", tail, f" 有{count}笔{kind}没缴，一共 {total} 元。"))
                each = (f"{ordinal(i)}，{b.what} {b.amount} 元。" for i, b in enumerate(bills))
                turn.say("".join(each))
            ask_to_pay(turn, bills)

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "utility_type":
            return await self._utility_type(value, turn)
        if slot == "utility_account":
            account = (
                extract_account_number(turn.latest_text())
                or turn.entity("account_number")
                or extract_account_number(value)
            )
            if account is None:
                turn.reject("户号是10位数字。请一位一位慢慢说。")
                return {"utility_account": None}
            return await self._account(account, turn)
        if slot == "utility_confirmed":
            return await self._confirmed(value, turn)
        return None

    async def _utility_type(self, value: Any, turn: Turn) -> dict[str, Any]:
        account = turn.entity("account_number") or extract_account_number(value)
        if account is not None:
            return await self._account(account, turn)
        kind = utility_type_of(turn, value)
        if kind is None:
            turn.reject("请说水费、电费，或者燃气费。")
        return {"utility_type": kind}

    async def _account(self, account: str, turn: Turn) -> dict[str, Any]:
        """Look up the account's bills: the oldest unpaid one is read back next."""
        cleared = {
            "utility_account": None,
            "utility_confirmed": None,
            "utility_bill_id": None,
            "utility_amount": None,
            "utility_period": None,
        }
        try:
            bills = await turn.platform.utility_bills(
                account_number=account, citizen=bindings.proxy(turn)
            )
        except PlatformError as error:
            turn.explain(error)
            return cleared
        if not bills:
            turn.reject(f"没有查到户号 {account}。", "请看一下缴费单，再说一遍户号。")
            return cleared
        kind = str(turn.slot("utility_type") or "")
        if kind and all(bill.type != kind for bill in bills):
            kind = bills[0].type
            turn.say(f"这个户号是交{NAMES.get(kind, '费用')}的。")
        kind = kind or bills[0].type
        unpaid = sorted(
            (b for b in bills if b.status == "unpaid" and b.type == kind), key=lambda b: b.period
        )
        if not unpaid:
            paid_up = f" 的{NAMES.get(kind, '费用')}都缴清了，不用缴。"
            turn.say(spoken("户号尾号 ", said.digits(account[-4:]), paid_up))
            turn.say("还有别的事要办吗？")
            return {**cleared, "utility_type": kind, "service_done": True}
        listed = [open_bill(bill) for bill in unpaid]
        return {
            **cleared,
            "utility_type": kind,
            "utility_account": account,
            "utility_bill_id": [bill.as_slot() for bill in listed],
            "utility_amount": total_of(listed),
            "utility_period": unpaid[0].period,
        }

    async def _citizens_bills(self, turn: Turn) -> dict[str, Any]:
        try:
            bills = await turn.platform.utility_bills(citizen=await turn.auth())
        except PlatformError as error:
            turn.explain(error)
            return {"service_done": True}
        unpaid = sorted(
            (b for b in bills if b.status == "unpaid"),
            key=lambda b: (UTILITY_TYPES.index(b.type) if b.type in UTILITY_TYPES else 9, b.period),
        )
        if not unpaid:
            turn.say("您家的水费、电费和燃气费都缴清了，不用缴。")
            turn.say("还有别的事要办吗？")
            return {"service_done": True}
        listed = [open_bill(bill) for bill in unpaid]
        return {
            "utility_bill_id": [bill.as_slot() for bill in listed],
            "utility_amount": total_of(listed),
            "utility_period": unpaid[0].period,
            "utility_confirmed": None,
        }

    async def _confirmed(self, value: Any, turn: Turn) -> dict[str, Any]:
        text = turn.latest_text()
        bills = open_bills(turn.slot("utility_bill_id"))
        several = len(bills) > 1
        if value is True and not several:
            return {"utility_confirmed": True}
        corrected = extract_account_number(text)
        if corrected and corrected != turn.slot("utility_account"):
            return await self._account(corrected, turn)
        if several:
            outcome, ids = settle_choice(value, text, bills, turn.slot("bill_chosen"))
            if outcome == "pay":
                return {"utility_confirmed": ids}
            if outcome == "chosen":
                return {"bill_chosen": ids, "utility_confirmed": None}
        if value is False or any(word in text for word in (*_NOT_NOW, *_WRONG)):
            if any(word in text for word in _WRONG) and not any(w in text for w in _NOT_NOW):
                turn.say("好的，我们重新说户号。")
                return {"utility_account": None, "utility_confirmed": None}
            turn.say("好的，这次先不缴，没有扣任何钱。")
            return {"utility_confirmed": False, "service_done": True}
        if not several and any(word in text for word in _YES) and "不" not in text:
            return {"utility_confirmed": True}
        turn.reject(CHOICE_HINT if several else "请说“对”或者“先不缴”。")
        return {"utility_confirmed": None}

    async def complete(self, turn: Turn) -> list[EventType]:
        kind = str(turn.slot("utility_type"))
        bills = open_bills(turn.slot("utility_bill_id"))
        chosen = chosen_bills(turn.slot("utility_confirmed"), bills)
        how = (
            f"请在{PAY_CODE_MINUTES}分钟内，在支付应用里输入缴费码付款。",
            f"付款后{COMPANIES.get(kind, '收费单位')}会收到，回执在支付应用里。",
        )
        await pay(
            turn,
            chosen,
            bills,
            payer="family" if bindings.bound(turn) else "self",
            how=how,
            again=f"交{NAMES.get(kind, '费')}",
            citizen=bindings.proxy(turn),
        )
        return []


SERVICES = (UtilityPayment,)
