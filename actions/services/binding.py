"""绑定老人: a relative binds a parent in WeChat, lists whom they bound, and unbinds.

Binding (``bind_family``): what the parent authorizes (five common services for 180 days, or
what the relative says: "只交水电费，一年") → the parent's name → ID number (checksum, read
back 6-8-4) → the phone the platform has for the parent (read back 3-4-4) → the platform sends
the parent an SMS that says plainly what the code is for (``purpose: proxy_binding``) → the
relative types the code the parent chose to give them → the platform records a proxy
authorization for the relative's WeChat identity with both identities
(:mod:`actions.bindings`). The code proves the parent agrees: it reaches only the phone the
platform has for them, and the SMS tells them to give it only if they do. The verification
asks by phone and the ID's last six, so no SMS goes anywhere when the phone is not the
parent's; the name and the whole ID are checked against the verified citizen before anything
is recorded. The parent's token is used for that one call and kept nowhere.

This is the one place a code meant for someone else is passed on, and the bot says so in the
same breath: never give a code to anyone else. Everything else of the fraud rule (DESIGN.md
§6) is unchanged.

"我绑定了谁" (``list_bindings``) and "解除绑定" (``unbind_family``): the platform's record of the
relative's bindings; the relative gives one up with the authorization itself. All three work
only on WeChat; elsewhere the bot says where to do it.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType

from actions import bindings, identity
from actions.services.base import Service, Turn, day, yes_no, yes_or_no
from platform_client import CitizenAuth, PlatformError
from platform_client.results import AgentAuthorization
from zhtext import spoken as said
from zhtext.idcard import is_valid_id_number
from zhtext.speakable import spoken

NOT_HERE = (
    "绑定家里老人要在微信里办：请在我们的微信公众号里说“绑定老人”。",
    "在这里，老人在身边也可以直接代办，说“帮我妈交电费”就行。",
)
DEFAULT_SCOPES = (
    "education_fee",
    "utility_payment",
    "elderly_allowance",
    "senior_card",
    "application_status",
)
"""What a binding covers unless the relative says otherwise: common errands that may be done
for someone (the platform refuses in-person services such as showing an e-certificate)."""
DEFAULT_DAYS = 180
MAX_DAYS = 365
SCOPE_NAMES = {
    "education_fee": "交学费",
    "utility_payment": "交水电燃气费",
    "elderly_allowance": "申请高龄津贴",
    "senior_card": "办老年卡",
    "application_status": "查办件进度",
    "pension_query": "查养老金",
    "medical_insurance_query": "查医保",
    "appointment": "预约办事",
}
_SCOPE_WORDS = {
    "education_fee": ("学费", "学校", "教育", "餐费"),
    "utility_payment": ("水", "电", "燃气", "煤气"),
    "elderly_allowance": ("高龄", "津贴", "尊老金"),
    "senior_card": ("老年卡", "敬老卡", "优待证", "老人卡"),
    "application_status": ("进度", "办件"),
    "pension_query": ("养老金", "退休金"),
    "medical_insurance_query": ("医保",),
    "appointment": ("预约",),
}
SAID_RELATIONS = {"母亲": "我妈", "父亲": "我爸"}
"""How a relative names a parent in a request ("给我妈交水费")."""
_IN_PERSON = ("身份证", "证照", "户口本")
_NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,6}$")
_DAYS = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*(天|个月|月|年)")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DEFAULT = re.compile(r"^\s*(1|好|行|可以|就这样|按默认|默认|都要|全部|都可以)")


def scopes_in(text: str) -> list[str]:
    """The services named in ``text`` ("只交水电费和高龄津贴"), in the catalog's order."""
    return [code for code, words in _SCOPE_WORDS.items() if any(w in text for w in words)]


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word.startswith("十"):
        return 10 + _CN.get(word[1:], 0)
    if "十" in word:
        tens, _, ones = word.partition("十")
        return _CN.get(tens, 1) * 10 + _CN.get(ones, 0)
    return _CN.get(word, 0)


def days_in(text: str) -> int | None:
    """How long, in days ("一年" → 365, "半年" → 180, "3个月" → 90, "30天"), or None."""
    compact = normalize(text)
    if "半年" in compact:
        return 180
    match = _DAYS.search(compact)
    if match is None:
        return None
    count, unit = _number(match.group(1)), match.group(2)
    return count * {"天": 1, "个月": 30, "月": 30, "年": 365}[unit]


def normalize(text: str) -> str:
    """``text`` without spaces."""
    return str(text or "").replace(" ", "")


def scope_words(scopes: list[str]) -> str:
    """The services as said: 交水电燃气费、申请高龄津贴."""
    return "、".join(SCOPE_NAMES.get(code, code) for code in scopes)


def who(turn: Turn) -> str:
    """The parent as the questions name them: 您母亲, or 老人."""
    relation = str(turn.slot("relation") or "")
    return f"您{relation}" if relation and relation not in ("本人", "我", "自己") else "老人"


def refused_here(turn: Turn) -> dict[str, Any] | None:
    """Off WeChat: say where binding is done; the slots that end the service. None on
    WeChat."""
    if bindings.wechat_agent(turn) is not None:
        return None
    for text in NOT_HERE:
        turn.say(text)
    return {"service_done": True}


class FamilyBinding(Service):
    code = "family_binding"
    intent = "bind_family"
    title = "绑定老人"
    requires_identity = False
    own_questions = True
    asked = (
        "binding_terms",
        "person_name",
        "id_number",
        "id_number_confirmed",
        "phone_number",
        "phone_number_confirmed",
        "sms_code",
    )
    kept = ("binding_scopes", "binding_days")

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        return refused_here(turn) or {}

    async def ask(self, slot: str, turn: Turn) -> None:
        person = who(turn)
        if slot == "binding_terms":
            if not turn.slot("field_failures"):
                turn.say(f"好的，绑定以后，您在微信上就能替{person}交费、办申请。")
            turn.say(f"默认可以代办：{scope_words(list(DEFAULT_SCOPES))}。")
            turn.say(
                f"授权{DEFAULT_DAYS}天有效。回复“好”就按默认；"
                "也可以说要哪几项、多久，比如“只交水电费，一年”。",
                (("好，按默认", "/affirm"),),
            )
        elif slot == "person_name":
            turn.say(f"请说{person}的姓名。")
        elif slot == "id_number":
            turn.say(f"请说{person}的身份证号。")
        elif slot == "id_number_confirmed":
            number = said.id_number(str(turn.slot("id_number")))
            turn.say(spoken("身份证号是 ", number, "，对吗？"), yes_no())
        elif slot == "phone_number":
            turn.say(f"请说{person}在政务平台登记的手机号，验证码会发到这个手机上。")
        elif slot == "phone_number_confirmed":
            phone = said.phone(str(turn.slot("phone_number")))
            turn.say(spoken("手机号是 ", phone, "，对吗？"), yes_no())
        elif slot == "sms_code":
            self._ask_code(turn, person)

    @staticmethod
    def _ask_code(turn: Turn, person: str) -> None:
        if turn.slot("field_failures"):
            turn.say(f"请再看一下{person}手机上的那条短信，把六位验证码发给我。")
            return
        phone = said.masked(str(turn.slot("verification_phone")))
        turn.say(spoken(f"验证码已发到{person}的手机 ", phone, "。"))
        turn.say(
            f"短信写着：您的家人正在申请在微信上代您办理缴费、申请等事项。"
            f"请{person}看过短信、同意了，再把六位验证码告诉您，您发给我。"
        )
        turn.say("这个验证码只用来绑定，是老人同意的凭证。别的任何时候，验证码都不要告诉别人。")

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        check = {
            "binding_terms": self._terms,
            "person_name": self._person_name,
            "id_number": self._id_number,
            "id_number_confirmed": self._id_number_confirmed,
            "phone_number": self._phone_number,
            "phone_number_confirmed": self._phone_number_confirmed,
            "sms_code": self._sms_code,
        }.get(slot)
        return None if check is None else await check(value, turn)

    async def _terms(self, value: Any, turn: Turn) -> dict[str, Any]:
        text = normalize(turn.latest_text())
        scopes, days = scopes_in(text), days_in(text)
        if value is True or (not scopes and days is None and _DEFAULT.search(text)):
            scopes, days = list(DEFAULT_SCOPES), DEFAULT_DAYS
        if not scopes and days is None:
            if any(word in text for word in _IN_PERSON):
                turn.reject("出示证件要老人本人来，不能代办。", "请说要代办哪几项，或者回复“好”。")
            else:
                turn.reject("请回复“好”，或者说要代办哪几项、多久，比如“只交水电费，一年”。")
            return {"binding_terms": None}
        days = DEFAULT_DAYS if days is None else days
        if not 1 <= days <= MAX_DAYS:
            turn.reject("授权最长一年。请说一个一年以内的时间，比如“半年”。")
            return {"binding_terms": None}
        scopes = scopes or list(DEFAULT_SCOPES)
        turn.say(f"好的，授权{days}天。可以代办：{scope_words(scopes)}。")
        return {"binding_terms": True, "binding_scopes": scopes, "binding_days": days}

    async def _person_name(self, value: Any, turn: Turn) -> dict[str, Any]:
        name = identity.spoken_name(value, turn)
        if not _NAME.fullmatch(name):
            turn.reject("没有看清姓名。请只说姓名，比如“王秀英”。")
            return {"person_name": None}
        return {"person_name": name}

    async def _id_number(self, value: Any, turn: Turn) -> dict[str, Any]:
        id_number = turn.entity("id_number") or identity.find_id_number(value)
        if id_number is None:
            turn.reject("身份证号是18位。请一位一位慢慢说。")
            return {"id_number": None}
        if not is_valid_id_number(id_number):
            turn.reject("这个号码好像有一位不对。请再说一遍。")
            return {"id_number": None}
        return {"id_number": id_number, "id_number_confirmed": None}

    async def _id_number_confirmed(self, value: Any, turn: Turn) -> dict[str, Any]:
        answer = yes_or_no(value, turn.latest_text())
        if answer is True:
            return {"id_number_confirmed": True}
        corrected = identity.find_id_number(turn.latest_text())
        if corrected and is_valid_id_number(corrected):
            return {"id_number": corrected, "id_number_confirmed": None}
        if answer is False:
            turn.say("好的，我们重新说身份证号。")
            return {"id_number": None, "id_number_confirmed": None}
        turn.reject("请说“对”或者“不对”。")
        return {"id_number_confirmed": None}

    async def _phone_number(self, value: Any, turn: Turn) -> dict[str, Any]:
        phone = turn.entity("phone_number") or identity.find_phone(value)
        if phone is None:
            turn.reject("手机号是11位，1开头。请一位一位慢慢说。")
            return {"phone_number": None}
        return {"phone_number": phone, "phone_number_confirmed": None}

    async def _phone_number_confirmed(self, value: Any, turn: Turn) -> dict[str, Any]:
        answer = yes_or_no(value, turn.latest_text())
        corrected = identity.find_phone(turn.latest_text())
        if corrected and corrected != turn.slot("phone_number"):
            return {"phone_number": corrected, "phone_number_confirmed": None}
        if answer is False:
            turn.say("好的，我们重新说手机号。")
            return {"phone_number": None, "phone_number_confirmed": None}
        if answer is not True:
            turn.reject("请说“对”或者“不对”。")
            return {"phone_number_confirmed": None}
        return await self._send_code(turn)

    async def _send_code(self, turn: Turn) -> dict[str, Any]:
        """Ask the platform to text the parent a code that says what it is for. By phone and
        the ID's last six: a phone that is not the parent's gets no SMS at all."""
        id_number = str(turn.slot("id_number"))
        try:
            started = await turn.platform.start_verification(
                phone=str(turn.slot("phone_number")),
                id_last6=id_number[-6:],
                purpose="proxy_binding",
            )
        except PlatformError as error:
            if error.code == "citizen_not_found":
                turn.say(f"这个手机号不是平台给{who(turn)}登记的手机号，没有发验证码。")
                turn.say("请核对后再说一遍手机号。老人换过手机号，可以到社区代办点更新。")
            else:
                turn.explain(error)
            return {"phone_number": None, "phone_number_confirmed": None}
        return {
            "phone_number_confirmed": True,
            "verification_id": started.verification_id,
            "verification_phone": started.masked_phone,
            "sms_code": None,
        }

    async def _sms_code(self, value: Any, turn: Turn) -> dict[str, Any]:
        # Whatever happens, the code leaves the tracker here ("sms_code" is None below).
        match = re.search(r"(?<!\d)\d{6}(?!\d)", identity.digits_in(value))
        if match is None:
            turn.reject("验证码是6位数字。请把短信里的6位数字发给我。")
            return {"sms_code": None}
        try:
            session = await turn.platform.confirm_verification(
                str(turn.slot("verification_id")), code=match.group(0)
            )
        except PlatformError as error:
            turn.explain(error)
            if error.code == "code_invalid":
                turn.failed = True
                return {"sms_code": None}
            # Expired, locked or gone: confirm the phone again for a new code.
            return {"sms_code": None, "phone_number_confirmed": None, "verification_id": None}
        citizen = session.citizen
        id_number = str(turn.slot("id_number"))
        masked_id = citizen.masked_id or ""
        same_id = (
            citizen.id_number_full.upper() == id_number
            if citizen.id_number_full
            else masked_id[:6] == id_number[:6] and masked_id[-4:] == id_number[-4:]
        )
        if citizen.name != turn.slot("person_name") or not same_id:
            turn.say("姓名或身份证号和平台登记的对不上，这次没有绑定。")
            turn.say("请核对老人的证件后，再说“绑定老人”。")
            return {"sms_code": None, "service_done": True}
        return await self._authorize(turn, session.citizen_token, citizen.name)

    async def _authorize(self, turn: Turn, token: str, name: str) -> dict[str, Any]:
        """Record the binding with the parent's token (used for this call only)."""
        agent = bindings.wechat_agent(turn)
        if agent is None:  # the channel changed mid-way: nothing to bind to
            for text in NOT_HERE:
                turn.say(text)
            return {"sms_code": None, "service_done": True}
        scopes = list(turn.slot("binding_scopes") or DEFAULT_SCOPES)
        try:
            created = await turn.platform.authorize_proxy(
                citizen=CitizenAuth(citizen_token=token),
                agent_kind=bindings.AGENT_KIND,
                agent_id=agent,
                scopes=scopes,
                expires_in_days=int(turn.slot("binding_days") or DEFAULT_DAYS),
                idempotency_key=turn.idempotency_key("binding", turn.slot("verification_id")),
            )
        except PlatformError as error:
            turn.explain(error)
            return {"sms_code": None, "service_done": True}
        relation = who(turn).removeprefix("您") if who(turn) != "老人" else ""
        example = f"给{SAID_RELATIONS.get(relation, relation or '我妈')}交水费"
        turn.say(f"绑定好了！{name}同意您代办：{scope_words(scopes)}。")
        turn.say(f"授权到{day(created.expires_at)}。以后在微信上说“{example}”就行。")
        turn.say("说“我绑定了谁”可以查看；说“解除绑定”随时解除。")
        return {"sms_code": None, "service_done": True}

    async def complete(self, turn: Turn) -> list[EventType]:
        return []


class BindingList(Service):
    code = "family_binding_list"
    intent = "list_bindings"
    title = "查看绑定"
    requires_identity = False
    own_questions = True

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        return refused_here(turn) or {}

    async def complete(self, turn: Turn) -> list[EventType]:
        agent = bindings.wechat_agent(turn)
        if agent is None:
            return []
        try:
            held = await bindings.held(turn, agent)
        except PlatformError as error:
            turn.explain(error)
            return []
        active = [b for b in held if b.active]
        if not active:
            turn.say("您现在没有绑定老人。要绑定，请说“绑定老人”。")
            return []
        turn.say(f"您绑定了{len(active)}位老人：")
        for binding in active:
            parent = binding.citizen_name_masked  # a name (王*英), not a number to read out
            turn.say(
                f"{parent}：授权到{day(binding.expires_at)}。"
                f"可以代办{scope_words(binding.scopes)}。"
            )
        turn.say("要解除，请说“解除绑定”。")
        return []


class Unbinding(Service):
    code = "family_unbinding"
    intent = "unbind_family"
    title = "解除绑定"
    requires_identity = False
    own_questions = True
    asked = ("unbind_confirmed",)

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        refused = refused_here(turn)
        if refused is not None:
            return refused
        agent = bindings.wechat_agent(turn)
        assert agent is not None
        try:
            active = [b for b in await bindings.held(turn, agent) if b.active]
        except PlatformError as error:
            turn.explain(error)
            return {"service_done": True}
        if not active:
            turn.say("您现在没有绑定老人，不用解除。")
            return {"service_done": True}
        if len(active) == 1:
            return self._chosen(active[0])
        return {"binding_options": [bindings.option(b) for b in active[:3]]}

    @staticmethod
    def _chosen(binding: AgentAuthorization | dict[str, Any]) -> dict[str, Any]:
        picked = bindings.option(binding) if isinstance(binding, AgentAuthorization) else binding
        return {
            "proxy_authorization_id": picked["id"],
            "binding_name": picked["name"],
            bindings.BINDING_CHOICE: picked["id"],
            "binding_options": None,
        }

    async def ask(self, slot: str, turn: Turn) -> None:
        if slot == bindings.BINDING_CHOICE:
            listed = bindings.options(turn)
            said_options = "；".join(f"回复{i}，{o['name']}" for i, o in enumerate(listed, 1))
            turn.say(
                f"您绑定了{len(listed)}位老人，要解除哪一位？{said_options}。",
                tuple((str(o["name"]), str(i)) for i, o in enumerate(listed, 1)),
            )
        elif slot == "unbind_confirmed":
            name = turn.slot("binding_name")
            turn.say(
                f"解除以后，您就不能再为{name}代办了。确定解除吗？", yes_no("确定解除", "先不")
            )

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot == bindings.BINDING_CHOICE:
            picked = bindings.chosen_in(normalize(turn.latest_text()), bindings.options(turn))
            if picked is None:
                turn.reject("请回复序号，或者说老人的姓名。")
                return {bindings.BINDING_CHOICE: None}
            return self._chosen(picked)
        if slot == "unbind_confirmed":
            text = turn.latest_text()
            answer = True if "确定" in text and "不" not in text else yes_or_no(value, text)
            if answer is None:
                turn.reject("请说“确定解除”或者“先不”。")
                return {"unbind_confirmed": None}
            if not answer:
                turn.say("好的，不解除，绑定还有效。")
                return {"unbind_confirmed": False, "service_done": True}
            return {"unbind_confirmed": True}
        return None

    async def complete(self, turn: Turn) -> list[EventType]:
        authorization_id = str(turn.slot("proxy_authorization_id"))
        try:
            await turn.platform.revoke_proxy(
                authorization_id, citizen=CitizenAuth(proxy_authorization_id=authorization_id)
            )
        except PlatformError as error:
            turn.explain(error)
            return []
        turn.say(f"已经解除了。以后不能再为{turn.slot('binding_name')}代办了。")
        turn.say("要再代办，请说“绑定老人”，重新请老人同意。")
        return []


SERVICES: tuple[type[Service], ...] = (FamilyBinding, BindingList, Unbinding)
