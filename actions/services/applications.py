"""申请: 高龄津贴, 敬老卡, 社会救助 (低保, 临时救助, 医疗救助) and 户口迁移.

All four need the applicant's identity (or a family member with their consent) and end in
``POST /v1/applications``: the application number and what happens next, or a plain reason
and a next step (an offer of the senior card, a progress check, or an appointment).

- 高龄津贴 checks, right after verification and before any question, whether the citizen has
  applied already: an application still being handled (or approved) is said with its number
  and state, and nothing is asked. A submission the platform refuses as a duplicate is told
  the same way.
- 高龄津贴 and 敬老卡 check the verified age before asking anything, then ask for the
  informed commitment (告知承诺, instead of proofs) and a grouped final confirmation; refusing
  the commitment lists the proofs and offers an appointment. 敬老卡 asks first or replacement.
- 社会救助: which help → monthly income per person (read back in words) → submit; the
  proofs are then asked for (the service takes no commitment): an appointment is offered.
- 户口迁移: from where to where → submit; the proofs are asked for: an appointment is offered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import cn2an
from rasa_sdk.events import EventType, SlotSet

from actions import bindings, identity
from actions.confirmation import offer, receipt
from actions.explain import MAX_SENTENCE_CHARS
from actions.services.base import Button, Service, Turn, clean_answer, yes_no
from actions.services.paying import count_word
from actions.services.status import NEXT_STEPS, STATUS_WORDS
from platform_client import PlatformError
from platform_client.results import ApplicationSummary
from zhtext import spoken as said
from zhtext.numbers import amount_to_words
from zhtext.speakable import spoken

AGREE = (("同意", "/affirm"), ("不同意", "/deny"))
SUBMIT = yes_no("提交", "先不提交")
APPOINTMENT = "appointment"
STATUS = "application_status"
SENIOR_CARD = "senior_card"
MAX_INCOME = Decimal(1_000_000)
"""Monthly income per person above this (yuan) is taken as misheard."""
STANDING = ("submitted", "reviewing", "needs_info", "approved")
"""States of an earlier application in which applying again is a duplicate."""
MAX_ADDRESS = 30
"""Characters of an address, so that its read-back stays one short sentence."""

KINDS = {
    "subsistence": ("低保", ("低保", "最低生活", "底保", "地保")),
    "temporary": ("临时救助", ("临时",)),
    "medical": ("医疗救助", ("医疗", "看病", "住院", "大病", "医药")),
}
"""社会救助 form ``kind`` → (its name, words people use for it)."""
REPLACEMENT_WORDS = (
    "补办",
    "补一张",
    "补张",
    "补个",
    "丢",
    "掉了",
    "坏",
    "找不到",
    "寻勿着",
    "刷不了",
    "重新办",
    "换",
)
SHOWING = re.compile(r"给[^，。]{0,6}看|出示|亮[一个下出]|调出来|弄出来|拿出来")
"""Words of showing a card (on the phone) rather than applying for one."""
FIRST_WORDS = ("第一次", "新办", "没办过", "没有办过", "新的", "头一回", "办一张")

_YES = ("对", "好", "是", "可以", "行", "嗯")
_NO_INCOME = ("没有收入", "没收入", "没有钱", "没钱", "一分没有", "没有", "无收入", "零")
_NUMBER = re.compile(
    r"(?P<number>[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万]+)"
    r"(?P<wan>万)?(?P<more>多|来|几)?(?P<unit>元|块|钱|圆)?(?P<after>.?)"
)
_NOT_MONEY_AFTER = set("个口人岁月年天号次户间层")
_WORD_AFTER_ONE = set("共起些样直点下般定")
_ADDRESS_NOISE = re.compile(
    r"^(户口)?(现在)?(是|在|从|迁到|迁去|迁往|要迁到|转到|落到|到)+|"
    r"(那里|那边|那儿|这里|去|吧|啊|呀)+$"
)
_MOVE = re.compile(r"从(?P<source>.+?)(?:迁|转|搬|落|挪)(?:到|去|往)(?P<target>.+?)(?:去|来)?$")
_CHINESE = re.compile(r"[\u4e00-\u9fa5]")


def parse_income(text: Any) -> Decimal | None:
    """A monthly amount of yuan in what was said: "一千二" / "1200块" / "八百多" / "没有收入"
    (0). A number followed by 元/块/钱 wins; numbers of people or months are not money."""
    said = clean_answer(text).replace(" ", "")
    found: list[tuple[bool, Decimal]] = []
    for match in _NUMBER.finditer(said):
        if match.group("after") in _NOT_MONEY_AFTER and not match.group("unit"):
            continue
        if match.group("number") == "一" and match.group("after") in _WORD_AFTER_ONE:
            continue  # 一共, 一起: words, not numbers
        value = _number(match.group("number"))
        if value is None:
            continue
        if match.group("wan"):
            value *= 10_000
        found.append((bool(match.group("unit")), value))
    marked = [value for has_unit, value in found if has_unit]
    if marked:
        amount: Decimal | None = marked[0]
    elif any(word in said for word in _NO_INCOME):
        amount = Decimal(0)
    elif len(found) == 1:
        amount = found[0][1]
    else:
        return None
    if amount is None or amount < 0 or amount > MAX_INCOME:
        return None
    return amount.quantize(Decimal("0.01"))


_PEOPLE = re.compile(r"(?P<count>[两二三四五六七八九2-9])\s*(?:个人|口人|口子|个|口)|老两口|两口子")
_COUNTS = {word: index + 2 for index, word in enumerate("两三四五六七八九")} | {"二": 2}
_TOGETHER = ("加起来", "一共", "总共", "合起来", "全家", "两口子", "老两口")
_EACH = ("每人", "每个人", "一个人", "平均")
_ABOUT = ("不到", "左右", "差不多", "大概", "多", "来块")


def household_size(text: Any) -> int:
    """How many people a household income was said for ("我跟老头子两个人，加起来…" → 2); 1
    when the amount is already per person."""
    said = clean_answer(text).replace(" ", "")
    match = _PEOPLE.search(said)
    if match is None or not any(word in said for word in _TOGETHER):
        return 1
    if any(word in said for word in _EACH):
        return 1
    count = match.group("count") or "两"
    return int(count) if count.isdigit() else _COUNTS.get(count, 1)


def income_per_person(text: Any) -> Decimal | None:
    """The monthly income per person in what was said: the household's total divided by the
    people it was said for."""
    total = parse_income(text)
    if total is None:
        return None
    return (total / household_size(text)).quantize(Decimal("0.01"))


def _number(text: str) -> Decimal | None:
    try:
        if text[0].isdigit():
            return Decimal(text)
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (InvalidOperation, ValueError, KeyError, IndexError):
        return None


def kind_in(text: Any) -> str | None:
    """The kind of social assistance named in ``text`` (``subsistence`` …), or None."""
    said = str(text or "")
    named = [kind for kind, (_, words) in KINDS.items() if any(word in said for word in words)]
    return named[0] if len(named) == 1 else None


def card_kind_in(text: Any) -> str | None:
    """``replacement`` (lost or broken card), ``new``, or None when ``text`` says neither."""
    said = str(text or "")
    if any(word in said for word in REPLACEMENT_WORDS):
        return "replacement"
    if any(word in said for word in FIRST_WORDS):
        return "new"
    return None


def clean_address(text: Any) -> str | None:
    """An address as said, without "在"/"迁到"/"那里" around it; None when there is none."""
    address = clean_answer(text).replace(" ", "").strip("，。,.！!？?")
    for _ in range(2):
        address = _ADDRESS_NOISE.sub("", address)
    if len(_CHINESE.findall(address)) < 2 or len(address) > MAX_ADDRESS:
        return None
    return address


def move_in(text: Any) -> tuple[str | None, str | None]:
    """Both addresses of "从吴江区迁到姑苏区" (each None when not said that way)."""
    match = _MOVE.search(clean_answer(text).replace(" ", ""))
    if match is None:
        return None, None
    return clean_address(match.group("source")), clean_address(match.group("target"))


def request_text(turn: Turn, intent: str) -> str:
    """What the person said when they asked for the service ("" when it came from an offer)."""
    for event in reversed(turn.tracker.events):
        if event.get("event") != "user":
            continue
        parsed = (event.get("parse_data") or {}).get("intent") or {}
        if parsed.get("name") == intent:
            return str(event.get("text") or "")
    return ""


def offered(code: str, *, booking: str | None = None) -> dict[str, Any]:
    """The slot values that make a following "对" start service ``code`` (for prepare() and
    validate()); an appointment is offered for service ``booking``."""
    return {event["name"]: event["value"] for event in offer_events(code, booking=booking)}


def offer_events(code: str, *, booking: str | None = None) -> list[EventType]:
    """The events that make a following "对" start service ``code``; an appointment offer
    names the service to book (``appointment_for``), so "办什么事" is not asked again."""
    events: list[EventType] = [offer(code)]
    if code == APPOINTMENT and booking:
        events.append(SlotSet("appointment_for", booking))
    return events


def sentences(prefix: str, items: Sequence[str]) -> list[str]:
    """A list said as one sentence (还缺：A、B、C。), or two when one would be too long."""
    whole = f"{prefix}{'、'.join(items)}。"
    if len(whole) <= MAX_SENTENCE_CHARS or len(items) < 2:
        return [whole]
    half = (len(items) + 1) // 2
    return [f"{prefix}{'、'.join(items[:half])}，", f"还有{'、'.join(items[half:])}。"]


def yes_or_no(value: Any, yes: str, no: str) -> bool | None:
    """An answer to a yes/no question: the intent's value, or the words of a typed answer
    ("同意" / "不同意"); None when it is neither."""
    if isinstance(value, bool):
        return value
    said = clean_answer(value)
    if no in said or said.startswith(("不", "别")):
        return False
    if yes in said or said.startswith(_YES):
        return True
    return None


class Application(Service):
    """What the four share: whose application it is, the submission and its outcomes."""

    name_said: ClassVar[str]
    """The application as said to the citizen: 高龄津贴申请 …"""
    place: ClassVar[str] = "社区代办点"
    """Where the proofs are brought."""

    def who(self, turn: Turn) -> str:
        """Whose application it is, as said: 您, or 您母亲 on the family path."""
        return identity.whose(turn, self)

    def applicant(self, turn: Turn) -> str:
        """The applicant by name: 陈素琴, or 您母亲陈素琴 on the family path."""
        name = bindings.name(turn)
        who = self.who(turn)
        return name if who == "您" else f"{who}{name}"

    async def submit(
        self, turn: Turn, form: dict[str, Any], *, commitment: bool, key: Sequence[object]
    ) -> list[EventType]:
        """Apply on the platform; say the number and next steps, or why not and what next."""
        try:
            created = await turn.platform.submit_application(
                citizen=await turn.auth(),
                service_code=self.code,
                form=form,
                commitment=commitment,
                idempotency_key=turn.idempotency_key("apply", *key),
            )
        except PlatformError as error:
            found = await self.existing(turn) if error.code == "duplicate_application" else None
            if found is not None:
                offer_slots = self.say_existing(turn, found)
                return [SlotSet(name, value) for name, value in offer_slots.items()]
            return self.refused(error, turn)
        turn.say(f"{self.name_said}提交好了。")
        number = spoken("申请编号是 ", said.code(created.application_number), "，请记一下。")
        turn.say(number)
        for step in created.next_steps:
            turn.say(f"{step.rstrip('。')}。")
        turn.say("想知道办到哪了，随时说“查进度”。")
        return [receipt(f"{self.name_said}提交好了，{number.text}", number.speech)]

    async def existing(self, turn: Turn) -> ApplicationSummary | None:
        """The citizen's application of this service still being handled (or approved), when
        the platform lists one; None when there is none or the list cannot be read."""
        try:
            mine = await turn.platform.applications(citizen=await turn.auth())
        except PlatformError:
            return None
        return next((a for a in mine if a.service_code == self.code and a.status in STANDING), None)

    def say_existing(self, turn: Turn, found: ApplicationSummary) -> dict[str, Any]:
        """Say that the citizen has applied already: the number, the state and what next (an
        appointment is offered when materials are missing). The slots of that offer."""
        applied = self.name_said.removesuffix("申请")
        turn.say(f"{self.who(turn)}已经申请过{applied}了，不用再申请。")
        turn.say(spoken("申请编号是 ", said.code(found.application_number), "。"))
        turn.say(f"现在{STATUS_WORDS.get(found.status, '正在办理')}。")
        turn.say(NEXT_STEPS.get(found.status, "有疑问可以说“转人工”。"))
        if found.status != "needs_info":
            return {}
        turn.say("要帮您预约去补材料吗？")
        return offered(APPOINTMENT, booking=self.code)

    def refused(self, error: PlatformError, turn: Turn) -> list[EventType]:
        """The platform said no: why, and the next step (an offer where there is one)."""
        if error.code == "duplicate_application":
            turn.say(f"{self.who(turn)}已经申请过了，正在办理。")
            turn.say("要帮您查一下进度吗？")
            return self.offer(STATUS)
        if error.code == "materials_required" and error.missing:
            self.ask_to_book(turn, sentences("还缺这些材料：", error.missing))
            return self.offer(APPOINTMENT)
        turn.explain(error)
        if error.code == "not_eligible" and error.reason == "age_under_80":
            return self.offer(SENIOR_CARD)
        return []

    def ask_to_book(self, turn: Turn, materials: Sequence[str], *, aside: str = "") -> None:
        """Say which materials to bring, where, and ask whether to book a visit there (after
        ``aside``, when there is one)."""
        for text in materials:
            turn.say(text)
        turn.say(f"请带上材料，到{self.place}办理。")
        if aside:
            turn.say(aside)
        turn.say(f"要帮您预约{self.place}吗？")

    def offer(self, code: str) -> list[EventType]:
        """The events that make a following "对" start service ``code`` (an appointment for
        this service)."""
        return offer_events(code, booking=self.code)

    def too_young(self, turn: Turn, min_age: int) -> bool:
        """Whether the verified age is under ``min_age`` (unknown ages go on to the platform)."""
        age = bindings.age(turn)
        return isinstance(age, int | float) and age < min_age


class CommitmentApplication(Application):
    """高龄津贴 and 敬老卡: minimum age, informed commitment, grouped confirmation, submit."""

    min_age: ClassVar[int]
    commitment_slot: ClassVar[str]
    confirmed_slot: ClassVar[str]

    def doing(self, turn: Turn) -> str:
        """What is done, after "为陈素琴": 申请高龄津贴 …"""
        raise NotImplementedError

    def form(self, turn: Turn) -> dict[str, Any]:
        """The application form."""
        return {}

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        if not self.too_young(turn, self.min_age):
            return {}
        self.say_too_young(turn)
        return {"service_done": True}

    def say_too_young(self, turn: Turn) -> None:
        """Why the person cannot apply, and what they can do."""
        raise NotImplementedError

    async def ask(self, slot: str, turn: Turn) -> None:
        who = self.who(turn)
        if slot == self.commitment_slot:
            # One question for the commitment and the submission: the read-back comes first.
            age = bindings.age(turn)
            turn.say(f"{self.applicant(turn)}，{age}岁，{self.doing(turn)}。")
            turn.say(f"告知承诺：{who}承诺信息真实，现在不用交证明，以后可能会核查。")
            turn.say(f"{who}同意承诺，就现在提交。同意吗？", AGREE)
        elif slot == self.confirmed_slot:
            name, age = bindings.name(turn), bindings.age(turn)
            turn.say(f"申请人{name}，{age}岁，已同意告知承诺。")
            turn.say(f"为{self.applicant(turn)}{self.doing(turn)}，现在提交吗？", SUBMIT)

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == self.commitment_slot:
            agreed = yes_or_no(value, yes="同意", no="不同意")
            if agreed is None:
                turn.reject("请说“同意”或者“不同意”。")
                return {slot: None}
            if agreed:
                # Agreeing was asked together with submitting: nothing more to confirm.
                return {slot: True, self.confirmed_slot: True}
            return {slot: False, "service_done": True, **await self.proofs(turn)}
        if slot == self.confirmed_slot:
            confirmed = yes_or_no(value, yes="提交", no="先不")
            if confirmed is None:
                turn.reject("请说“提交”或者“先不提交”。")
                return {slot: None}
            if not confirmed:
                turn.say("好的，先不提交，什么都没有提交。")
                return {slot: False, "service_done": True}
            return {slot: True}
        return None

    async def proofs(self, turn: Turn) -> dict[str, Any]:
        """No commitment: the proofs the catalog lists, and an offer of an appointment."""
        try:
            found = await turn.platform.services(q=self.code)
        except PlatformError:
            found = []
        materials = next((s.materials for s in found if s.code == self.code), ())
        if materials:
            self.ask_to_book(turn, sentences("好的，那要交证明材料：", materials))
        else:
            self.ask_to_book(turn, ["好的，那要交证明材料，工作人员会告诉您要哪些。"])
        return offered(APPOINTMENT, booking=self.code)

    async def complete(self, turn: Turn) -> list[EventType]:
        form = self.form(turn)
        return await self.submit(turn, form, commitment=True, key=sorted(form.items()))


class ElderlyAllowance(CommitmentApplication):
    code = "elderly_allowance"
    intent = "apply_elderly_allowance"
    title = "申请高龄津贴"
    name_said = "高龄津贴申请"
    min_age = 80
    commitment_slot = "allowance_commitment"
    confirmed_slot = "allowance_confirmed"
    asked = (commitment_slot, confirmed_slot)

    def doing(self, turn: Turn) -> str:
        return "申请高龄津贴"

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        done = await super().prepare(turn)
        if done:
            if not self.too_young(turn, SeniorCard.min_age):
                done.update(offered(SENIOR_CARD))
            return done
        # Applied already: say so now, before the commitment is asked for.
        found = await self.existing(turn)
        if found is None:
            return {}
        return {"service_done": True, **self.say_existing(turn, found)}

    def say_too_young(self, turn: Turn) -> None:
        who = self.who(turn)
        turn.say("高龄津贴要年满80周岁才能领。")
        turn.say(f"{who}今年{bindings.age(turn)}岁，还不到。")
        if self.too_young(turn, SeniorCard.min_age):
            turn.say("有疑问可以说“转人工”。")
        else:
            turn.say(f"{who}可以先办敬老卡，要帮您办吗？")


class SeniorCard(CommitmentApplication):
    code = SENIOR_CARD
    intent = "apply_senior_card"
    title = "办敬老卡"
    name_said = "敬老卡申请"
    min_age = 60
    commitment_slot = "senior_card_commitment"
    confirmed_slot = "senior_card_confirmed"
    asked = ("senior_card_kind", commitment_slot, confirmed_slot)

    def doing(self, turn: Turn) -> str:
        return "补办敬老卡" if turn.slot("senior_card_kind") == "replacement" else "办理敬老卡"

    def rather(self, turn: Turn) -> str | None:
        # "坐车要给司机看老年卡，手机上能弄出来吗": showing the card on the phone (电子证照).
        return "e_certificate" if SHOWING.search(turn.latest_text()) else None

    def form(self, turn: Turn) -> dict[str, Any]:
        return {"replacement": turn.slot("senior_card_kind") == "replacement"}

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        done = await super().prepare(turn)
        if done:
            return done
        kind = card_kind_in(request_text(turn, self.intent))
        return {"senior_card_kind": kind} if kind else {}

    def say_too_young(self, turn: Turn) -> None:
        turn.say("敬老卡要年满60周岁才能办。")
        turn.say(f"{self.who(turn)}今年{bindings.age(turn)}岁，到时候再来办。")
        turn.say("有疑问可以说“转人工”。")

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "senior_card_kind":
            turn.say(
                f"{self.who(turn)}是第一次办敬老卡，还是补办？",
                (("第一次办", "第一次办"), ("补办", "补办")),
            )
            return
        await super().ask(slot, turn)

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "senior_card_kind":
            kind = card_kind_in(value)
            if kind is None:
                turn.reject("请说“第一次办”，或者“补办”。")
            return {slot: kind}
        return await super().validate(slot, value, turn)

    def refused(self, error: PlatformError, turn: Turn) -> list[EventType]:
        if error.code != "duplicate_application":
            return super().refused(error, turn)
        turn.say(f"{self.who(turn)}已经有敬老卡，或者正在办。")
        if turn.slot("senior_card_kind") != "replacement":
            turn.say("卡丢了的话，请说“补办敬老卡”。")
        turn.say("要帮您查一下办理进度吗？")
        return self.offer(STATUS)


class SocialAssistance(Application):
    code = "social_assistance"
    intent = "apply_social_assistance"
    title = "申请社会救助"
    name_said = "救助申请"
    asked = ("assistance_kind", "assistance_income", "assistance_income_confirmed")

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        kind = kind_in(request_text(turn, self.intent))
        return {"assistance_kind": kind} if kind else {}

    def kind_name(self, turn: Turn) -> str:
        """低保, 临时救助 or 医疗救助."""
        return KINDS.get(str(turn.slot("assistance_kind")), ("救助", ()))[0]

    async def ask(self, slot: str, turn: Turn) -> None:
        who = self.who(turn)
        if slot == "assistance_kind":
            buttons: tuple[Button, ...] = tuple((name, name) for name, _ in KINDS.values())
            turn.say("要申请哪一种：低保、临时救助，还是医疗救助？", buttons)
        elif slot == "assistance_income":
            turn.say(f"申请{self.kind_name(turn)}要看家里的收入。")
            turn.say(f"{who}家里平均每人每月收入多少钱？")
        elif slot == "assistance_income_confirmed":
            words = amount_to_words(turn.slot("assistance_income"))
            said = turn.latest_text()
            people = household_size(said)
            about = "大约" if any(word in said for word in _ABOUT) else ""
            split = f"按{count_word(people)}个人算，" if people > 1 else ""
            turn.say(f"{split}{who}家每人每月收入{about}{words}，对吗？", yes_no())

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == "assistance_kind":
            kind = kind_in(value)
            if kind is None:
                turn.reject("请说低保、临时救助，或者医疗救助。")
            return {slot: kind}
        if slot == "assistance_income":
            income = income_per_person(turn.latest_text())
            if income is None:
                income = income_per_person(value)
            if income is None:
                turn.reject("没有听清钱数。请说一个数，比如“一千二百元”。")
                return {slot: None}
            return {slot: str(income), "assistance_income_confirmed": None}
        if slot == "assistance_income_confirmed":
            return self._income_confirmed(value, turn)
        return None

    def _income_confirmed(self, value: Any, turn: Turn) -> dict[str, Any]:
        if value is True:
            return {"assistance_income_confirmed": True}
        text = turn.latest_text()
        corrected = parse_income(text) if _NUMBER.search(text) else None
        if corrected is not None:
            return {"assistance_income": str(corrected), "assistance_income_confirmed": None}
        if value is False:
            turn.say("好的，我们重新说收入。")
            return {"assistance_income": None, "assistance_income_confirmed": None}
        turn.reject("请说“对”或者“不对”。")
        return {"assistance_income_confirmed": None}

    async def complete(self, turn: Turn) -> list[EventType]:
        income = Decimal(str(turn.slot("assistance_income")))
        form = {
            "kind": str(turn.slot("assistance_kind")),
            "monthly_income_per_person": int(income) if income == int(income) else float(income),
        }
        return await self.submit(turn, form, commitment=False, key=sorted(form.items()))

    def refused(self, error: PlatformError, turn: Turn) -> list[EventType]:
        if error.code == "not_eligible" and error.reason == "income_above_threshold":
            turn.say("家里人均收入高于低保标准，这次申请不上。")
            turn.say("有特别的困难，请说“转人工”。")
            return []
        return super().refused(error, turn)


class HukouTransfer(Application):
    code = "hukou_transfer"
    intent = "transfer_hukou"
    title = "迁户口"
    name_said = "户口迁移申请"
    place = "政务大厅"
    asked = ("hukou_from", "hukou_to", "hukou_confirmed")

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        source, target = move_in(request_text(turn, self.intent))
        return {"hukou_from": source, "hukou_to": target} if source and target else {}

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == "hukou_from":
            turn.say(f"{self.who(turn)}的户口现在在哪里？请说地址。")
        elif slot == "hukou_to":
            turn.say("要迁到哪里？请说新地址。")
        elif slot == "hukou_confirmed":
            turn.say(f"从：{turn.slot('hukou_from')}。")
            turn.say(f"迁到：{turn.slot('hukou_to')}。")
            turn.say("地址对吗？", yes_no())

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot in ("hukou_from", "hukou_to"):
            address = clean_address(value)
            if address is None:
                turn.reject("没有听清地址。请说到区和街道，比如“姑苏区平江路”。")
            return {slot: address, "hukou_confirmed": None}
        if slot == "hukou_confirmed":
            if value is True:
                return {slot: True}
            if value is False:
                turn.say("好的，我们重新说地址。")
                return {"hukou_from": None, "hukou_to": None, slot: None}
            turn.reject("请说“对”或者“不对”。")
            return {slot: None}
        return None

    async def complete(self, turn: Turn) -> list[EventType]:
        form = {"from_address": turn.slot("hukou_from"), "to_address": turn.slot("hukou_to")}
        return await self.submit(turn, form, commitment=False, key=sorted(form.items()))

    def refused(self, error: PlatformError, turn: Turn) -> list[EventType]:
        if error.code != "materials_required" or not error.missing:
            return super().refused(error, turn)
        self.ask_to_book(
            turn,
            sentences("户口迁移要交这些材料：", error.missing),
            aside="不约的话，也可以说“转人工”。",
        )
        return self.offer(APPOINTMENT)


SERVICES = (ElderlyAllowance, SeniorCard, SocialAssistance, HukouTransfer)
