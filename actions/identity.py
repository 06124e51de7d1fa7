"""Identity verification and the family-proxy path, shared by every service that needs them.

Two ways to say who you are, then the SMS code (PLATFORM_API.md, Identity):

- ID number (checked by its GB 11643 checksum before it is read back in groups 6-8-4) →
  "对" → name → SMS code;
- "记不清身份证号" → phone number (read back 3-4-4) → "对" → the last six digits of the ID → SMS.

A wrong read-back ("不对") re-asks only that number. On the family path ("帮我妈办") the
questions are about the person the service is for; after the code, the helper gives their own
name and the older person consents ("我同意"); the platform then records a proxy
authorization with both identities, and every call of the service goes through it.

Nothing secret stays in the tracker: the SMS code's slot is cleared by the check that uses
it (verified or not), and the citizen token goes to the action server's citizen sessions
(:mod:`actions.sessions`); the tracker only gets ``citizen_verified``. A token that has
expired counts as no verification: the citizen is asked to verify again.
"""

from __future__ import annotations

import re
from typing import Any

from actions import bindings
from actions.runtime import citizen_sessions
from actions.services.base import (
    FORGOT_WORDS,
    SELF,
    Service,
    Turn,
    clean_answer,
    yes_no,
    yes_or_no,
)
from actions.sessions import expiry
from platform_client import CitizenAuth, PlatformError
from zhtext import spoken as said
from zhtext.idcard import is_valid_id_number
from zhtext.numbers import corrected_digits, normalize_spoken_digits
from zhtext.speakable import spoken

ASKED_IDENTITY_SLOTS = (
    "id_number",
    "id_number_confirmed",
    "person_name",
    "phone_number",
    "phone_number_confirmed",
    "id_last6",
    "sms_code",
)
"""The questions of a verification, one ask action each."""
IDENTITY_SLOTS = ("id_method", *ASKED_IDENTITY_SLOTS, "verification_id", "verification_phone")
"""Asked (or kept) while verifying; cleared when a new verification starts."""
CITIZEN_SLOTS = (
    "citizen_verified",
    "citizen_subject",
    "citizen_name",
    "citizen_age",
    "citizen_district",
)
"""Who was verified: kept for the rest of the conversation, while the citizen token (in the
citizen sessions, not here) lives: 30 minutes."""
PROXY_SLOTS = ("agent_name", "proxy_consent", "proxy_authorization_id", *bindings.BINDING_SLOTS)
ASKED_PROXY_SLOTS = ("agent_name", "proxy_consent", bindings.BINDING_CHOICE)
"""The questions of the family-proxy path (and of a relative bound to two parents), one ask
action each."""
PROXY_DAYS = 1

_ID = re.compile(r"(?<![0-9X])[0-9]{17}[0-9X](?![0-9X])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_SIX = re.compile(r"(?<![0-9X])[0-9]{5}[0-9X](?![0-9X])")
_NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,6}$")
_NAME_NOISE = re.compile(r"^(我叫|我是|叫|名字是|名字叫|姓名是|姓名|是|他叫|她叫)|(吧|啊|呀|的)$")
_NO_ID = (*FORGOT_WORDS, "手机号", "手机")


def digits_in(text: Any) -> str:
    """What was said, with spoken digits turned into digits ("幺三九…" → "139…"), and a
    correction inside the sentence applied ("…七五，不对不对，是七四" → "…74")."""
    return corrected_digits(normalize_spoken_digits(str(text or "")).upper().replace(" ", ""))


def find_id_number(text: Any) -> str | None:
    """An 18-character ID number in ``text`` (any checksum), or None."""
    match = _ID.search(digits_in(text))
    return match.group(0) if match else None


def find_phone(text: Any) -> str | None:
    """An 11-digit mobile number in ``text``, or None."""
    match = _PHONE.search(digits_in(text))
    return match.group(0) if match else None


def subject(turn: Turn, service: Service) -> str:
    """Whom the service is for: 本人, or the relation on the family path (母亲 …)."""
    relation = str(turn.slot("relation") or SELF)
    if relation in (SELF, "我", "自己") or not service.proxy_allowed:
        return SELF
    return relation


def whose(turn: Turn, service: Service) -> str:
    """ "您" or "您母亲": whose ID and phone the questions are about."""
    person = subject(turn, service)
    return "您" if person == SELF else f"您{person}"


def verified(turn: Turn, service: Service) -> bool:
    """Whether the person the service is for has been verified in this conversation (see
    :func:`lapsed` for a verification whose token has expired since), or the service runs
    under a relative's standing binding (the platform checks that on every call)."""
    if bindings.bound(turn) and subject(turn, service) != SELF:
        return True
    return bool(turn.slot("citizen_verified")) and turn.slot("citizen_subject") == subject(
        turn, service
    )


async def lapsed(turn: Turn) -> dict[str, Any]:
    """The slots to clear when the conversation's verification has lapsed (its citizen token
    expired or is gone), so that the citizen is asked to verify again; empty otherwise."""
    if bindings.bound(turn) or not turn.slot("citizen_verified") or await turn.citizen_token():
        return {}
    return {slot: None for slot in (*CITIZEN_SLOTS, *PROXY_SLOTS)}


def identity_steps(turn: Turn, service: Service) -> list[str]:
    """The identity questions still in front of the service's own questions."""
    if bindings.options(turn) and not turn.slot("proxy_authorization_id"):
        return [bindings.BINDING_CHOICE]
    if not service.needs_identity(turn):
        return []
    if not verified(turn, service):
        if turn.slot("id_method") == "phone":
            return ["phone_number", "phone_number_confirmed", "id_last6", "sms_code"]
        return ["id_number", "id_number_confirmed", "person_name", "sms_code"]
    if subject(turn, service) != SELF and not turn.slot("proxy_authorization_id"):
        return ["agent_name", "proxy_consent"]
    return []


async def ask(slot: str, turn: Turn, service: Service) -> bool:
    """Ask an identity question; False when ``slot`` is not one."""
    who = whose(turn, service)
    if slot == "id_number":
        if not turn.slot("field_failures"):
            turn.say("办这件事要先核对身份。")
        turn.say(
            f"请说{who}的身份证号。记不清可以说“用手机号”。",
            (("用手机号", "用手机号"),),
            expect="id_number",
        )
    elif slot == "id_number_confirmed":
        number = said.id_number(str(turn.slot("id_number")))
        turn.say(spoken("身份证号是 ", number, "，对吗？"), yes_no())
    elif slot == "person_name":
        turn.say(f"请说{who}的姓名。")
    elif slot == "phone_number":
        turn.say(f"请说{who}的手机号。", expect="phone")
    elif slot == "phone_number_confirmed":
        phone = str(turn.slot("phone_number"))
        if phone == turn.caller_number:
            turn.say(spoken("用您现在打电话的号码 ", said.phone(phone), "，对吗？"), yes_no())
        else:
            turn.say(spoken("手机号是 ", said.phone(phone), "，对吗？"), yes_no())
    elif slot == "id_last6":
        turn.say(f"请说{who}身份证号的最后六位。", expect="id_tail")
    elif slot == "sms_code":
        if turn.slot("field_failures"):
            # Asked again after a wrong code: the same message, not a new one.
            turn.say("请再看一下刚才那条短信，把六位验证码念给我。", expect="digits:6")
        else:
            masked_phone = said.masked(str(turn.slot("verification_phone")))
            turn.say(spoken("验证码已发到 ", masked_phone, "。"))
            turn.say("请把短信里的六位验证码念给我。", expect="digits:6")
    elif slot == "agent_name":
        turn.say("请问您怎么称呼？")
    elif slot == bindings.BINDING_CHOICE:
        bindings.ask_choice(turn, service)
    elif slot == "proxy_consent":
        turn.say(f"请{who}说“我同意”，授权您代办{service.title}。", yes_no("我同意", "不同意"))
    else:
        return False
    return True


async def validate(slot: str, value: Any, turn: Turn, service: Service) -> dict[str, Any] | None:
    """Check an identity answer; None when ``slot`` is not an identity slot."""
    check = _VALIDATORS.get(slot)
    return None if check is None else await check(value, turn, service)


_NAME_WITH_ID = re.compile(r"(?:[我她他]叫|名字(?:是|叫)?|姓名(?:是)?)([\u4e00-\u9fa5·]{2,6})")
"""A name said with the ID number ("身份证是…，名字黎国庆", "…，我叫陈素琴")."""


def name_said_with(text: str) -> str | None:
    """The name said in the same breath as the ID number, or None."""
    match = _NAME_WITH_ID.search(text)
    if match is None:
        return None
    name = _NAME_NOISE.sub("", match.group(1))
    return name if _NAME.fullmatch(name) else None


async def from_request(turn: Turn, service: Service) -> dict[str, Any]:
    """The ID number (and the name) said with the request ("帮我查查养老金，身份证号是…"), checked
    like an answer to the first question; nothing when the request has none."""
    text = turn.latest_text()
    if find_id_number(text) is None:
        return {}
    return await _id_number(text, turn, service)


async def _id_number(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    text = str(value or "")
    id_number = find_id_number(text) or turn.entity("id_number")
    if id_number is None and any(word in text for word in _NO_ID):
        return {"id_number": None, "id_method": "phone", **_caller_phone(turn, service)}
    if id_number is None:
        turn.reject("身份证号是18位。请一位一位慢慢说。")
        return {"id_number": None}
    if not is_valid_id_number(id_number):
        turn.reject("这个号码好像有一位不对。请再说一遍。")
        return {"id_number": None}
    found: dict[str, Any] = {"id_number": id_number, "id_number_confirmed": None}
    name = name_said_with(turn.latest_text())
    if name:
        # Said with the number: not asked again once the number is confirmed.
        found["person_name"] = name
    return found


def _caller_phone(turn: Turn, service: Service) -> dict[str, Any]:
    """On a phone call from a mobile, the number it comes from, to confirm instead of asking
    for it (only for the caller's own identity)."""
    caller = turn.caller_number
    if not caller or subject(turn, service) != SELF:
        return {}
    return {"phone_number": caller, "phone_number_confirmed": None}


async def _id_number_confirmed(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    value = yes_or_no(value, turn.latest_text())
    name = turn.slot("person_name")
    if value is True and name and not turn.slot("verification_id"):
        return await _send_code(turn, service, {"id_number_confirmed": True}, name=str(name))
    if value is True:
        return {"id_number_confirmed": True}
    corrected = find_id_number(turn.latest_text())
    if corrected and is_valid_id_number(corrected):
        return {"id_number": corrected, "id_number_confirmed": None}
    if value is False:
        turn.say("好的，我们重新说身份证号。")
        return {"id_number": None, "id_number_confirmed": None}
    turn.reject("请说“对”或者“不对”。")
    return {"id_number_confirmed": None}


_NAME_PARTS = re.compile(r"[，,、。；;：:\s]+")
_HOW_WRITTEN = re.compile(
    r"的|弓长|立早|木子|口天|耳东|双木|古月|言午|草头|三点水|单人|双人|宝盖|走之|提手|女字|王字"
)
"""How people say a name is written ("弓长张", "小小的小"): a description, not the name."""


def _name_parts(answer: Any) -> list[str]:
    """The answer, and each part of it between pauses that is not a description of how the
    name is written ("张小妹，弓长张，小小的小" → the answer, then "张小妹")."""
    text = clean_answer(answer)
    parts = [p for p in _NAME_PARTS.split(text) if p and not _HOW_WRITTEN.search(p)]
    whole = text.replace(" ", "")
    return parts if _HOW_WRITTEN.search(whole) else [whole, *parts]


def spoken_name(value: Any, turn: Turn) -> str:
    """The name in an answer ("我叫王秀英吧" → 王秀英): what was said without the words around it
    (the slot may hold only the part the NLU tagged, "建华" of 胡建华), with any description of
    how it is written left out ("张小妹，弓长张" → 张小妹), or the recognised ``person_name``
    when that is the only name-shaped reading."""
    said = ""
    for answer in (turn.latest_text(), value):
        for part in _name_parts(answer):
            said = _NAME_NOISE.sub("", _NAME_NOISE.sub("", part))
            if _NAME.fullmatch(said):
                return said
    entity = turn.entity("person_name")
    return entity if entity and _NAME.fullmatch(entity) else said


async def _person_name(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    name = spoken_name(value, turn)
    if not _NAME.fullmatch(name):
        turn.reject("没有听清姓名。请只说姓名，比如“王秀英”。")
        return {"person_name": None}
    return await _send_code(turn, service, {"person_name": name}, name=name)


async def _phone_number(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    phone = find_phone(turn.latest_text()) or turn.entity("phone_number") or find_phone(value)
    if phone is None:
        turn.reject("手机号是11位，1开头。请一位一位慢慢说。")
        return {"phone_number": None}
    return {"phone_number": phone, "phone_number_confirmed": None}


async def _phone_number_confirmed(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    value = yes_or_no(value, turn.latest_text())
    if value is True:
        return {"phone_number_confirmed": True}
    corrected = find_phone(turn.latest_text())
    if corrected:
        return {"phone_number": corrected, "phone_number_confirmed": None}
    if value is False:
        turn.say("好的，我们重新说手机号。")
        return {"phone_number": None, "phone_number_confirmed": None}
    turn.reject("请说“对”或者“不对”。")
    return {"phone_number_confirmed": None}


async def _id_last6(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    match = _SIX.search(digits_in(value))
    if match is None:
        turn.reject("请说身份证号最后六位，一位一位说。")
        return {"id_last6": None}
    last6 = match.group(0)
    return await _send_code(turn, service, {"id_last6": last6}, last6=last6)


async def _send_code(
    turn: Turn, service: Service, values: dict[str, Any], *, name: str = "", last6: str = ""
) -> dict[str, Any]:
    """Everything needed is known: the platform sends the SMS code."""
    try:
        if last6:
            started = await turn.platform.start_verification(
                phone=str(turn.slot("phone_number")), id_last6=last6
            )
        else:
            started = await turn.platform.start_verification(
                name=name, id_number=str(turn.slot("id_number"))
            )
    except PlatformError as error:
        turn.explain(error)
        return {slot: None for slot in IDENTITY_SLOTS if slot != "id_method"}
    return {
        **values,
        "verification_id": started.verification_id,
        "verification_phone": started.masked_phone,
    }


async def _sms_code(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    # Whatever happens, the code leaves the tracker in this action ("sms_code" is None in
    # every answer below).
    match = re.search(r"(?<!\d)\d{6}(?!\d)", digits_in(value))
    if match is None:
        turn.reject("验证码是6位数字。请一位一位念给我。")
        return {"sms_code": None}
    try:
        session = await turn.platform.confirm_verification(
            str(turn.slot("verification_id")), code=match.group(0)
        )
    except PlatformError as error:
        turn.explain(error)
        if error.code in ("code_invalid",):
            return {"sms_code": None}
        # Expired, locked or gone: start again from the number.
        return {slot: None for slot in IDENTITY_SLOTS if slot != "id_method"}
    citizen = session.citizen
    await citizen_sessions().save(
        turn.tracker.sender_id, session.citizen_token, expiry(session.expires_at)
    )
    turn.knows_token(session.citizen_token)
    turn.say(f"{citizen.name}，身份核对好了。")
    updates: dict[str, Any] = {
        "sms_code": None,  # used: no code stays in the tracker
        "citizen_verified": True,
        "citizen_subject": subject(turn, service),
        "citizen_name": citizen.name,
        "citizen_age": citizen.age,
        "citizen_district": citizen.district,
        "proxy_authorization_id": None,
        "agent_name": None,
        "proxy_consent": None,
    }
    turn.updates.update(updates)
    return updates


async def _agent_name(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    name = spoken_name(value, turn)
    if not 1 <= len(name) <= 12:
        turn.reject("没有听清。请说您的姓名。")
        return {"agent_name": None}
    return {"agent_name": name}


_REFUSE = re.compile(r"不同意|不行|不可以|不愿意|不授权|不让|别让|不要|不用了|不肯")
_CONSENT = re.compile(
    r"同意|可以|愿意|授权|答应|没问题|^\s*(好|行|嗯|对|是)|让.{0,6}(帮|办|查|弄|做)"
)


def consent_in(value: Any) -> bool | None:
    """Consent as people give it ("我同意，让我儿子帮我查", "行，让她办"): True, a refusal
    ("不同意", "不让她弄"): False, anything else: None."""
    if isinstance(value, bool):
        return value
    text = str(value or "")
    if _REFUSE.search(text):
        return False
    return True if _CONSENT.search(text) else None


async def _proxy_consent(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    consent = consent_in(value)
    if consent is None:
        # Not a yes and not a no: ask again, never end the service on it.
        turn.reject(f"请{whose(turn, service)}说“我同意”，或者“不同意”。")
        return {"proxy_consent": None}
    if consent is False:
        turn.say("好的，没有授权就不代办。")
        turn.say("老人本人想办，可以直接跟我说，或者说“转人工”。")
        return {"proxy_consent": False, "service_done": True}
    agent = f"{turn.slot('agent_name')}/{turn.tracker.sender_id}"[:64]
    try:
        authorization = await turn.platform.authorize_proxy(
            citizen=await _own(turn),
            agent_kind="family",
            agent_id=agent,
            scopes=[service.code],
            expires_in_days=PROXY_DAYS,
            idempotency_key=turn.idempotency_key("proxy", agent),
        )
    except PlatformError as error:
        turn.explain(error)
        return {"proxy_consent": False, "service_done": True}
    turn.say("授权好了，今天内有效。")
    return {"proxy_consent": True, "proxy_authorization_id": authorization.authorization_id}


async def _own(turn: Turn) -> CitizenAuth:
    """The verified citizen's own token (only they can authorize a proxy)."""
    return CitizenAuth(citizen_token=await turn.citizen_token())


async def _binding_choice(value: Any, turn: Turn, service: Service) -> dict[str, Any]:
    return await bindings.choose(value, turn, service, subject(turn, service))


_VALIDATORS = {
    "id_number": _id_number,
    "id_number_confirmed": _id_number_confirmed,
    "person_name": _person_name,
    "phone_number": _phone_number,
    "phone_number_confirmed": _phone_number_confirmed,
    "id_last6": _id_last6,
    "sms_code": _sms_code,
    "agent_name": _agent_name,
    "proxy_consent": _proxy_consent,
    bindings.BINDING_CHOICE: _binding_choice,
}
