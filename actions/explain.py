"""Platform errors as short, plain Chinese with a next step (one helper for every action).

Every error code of the platform contract, and each of the client's own codes
(``platform_unavailable``, ``unexpected_response``), has an entry: what happened, then what the
person can do next. Each sentence is at most :data:`MAX_SENTENCE_CHARS` characters, so it is
easy to hear on the phone. When the platform is down or answers in a way we cannot read, we
apologise, say that nothing was charged, and offer a person.
"""

from __future__ import annotations

from platform_client.errors import PlatformError

MAX_SENTENCE_CHARS = 40

_HUMAN = "或说“转人工”。"
_SYSTEM_FAULT = ("系统这边出了点问题，没有扣任何钱。", "请说“转人工”，让工作人员帮您。")
_RETRY_FORM = ("有一项信息格式不对。", "请再说一遍，或说“转人工”。")

_EXPLANATIONS: dict[str, tuple[str, str]] = {
    # Generic: a fault of ours or of the platform, never of the person.
    "unauthorized": _SYSTEM_FAULT,
    "not_found": _SYSTEM_FAULT,
    "method_not_allowed": _SYSTEM_FAULT,
    "invalid_json": _SYSTEM_FAULT,
    "invalid_request": _RETRY_FORM,
    "invalid_idempotency_key": _SYSTEM_FAULT,
    "idempotency_key_reused": _SYSTEM_FAULT,
    "rate_limited": ("现在办事的人比较多。", "请过一会儿再试，" + _HUMAN),
    # Identity.
    "invalid_name": ("姓名好像不对。", "请再说一遍您的姓名。"),
    "invalid_id_number": ("身份证号码好像不对。", "请再说一遍，一位一位地说。"),
    "invalid_id_last6": ("身份证后六位好像不对。", "请再说一遍身份证最后六位。"),
    "invalid_verification_request": (
        "核对身份需要姓名和身份证号。",
        "也可以用手机号加身份证后六位。",
    ),
    "citizen_not_found": ("没有查到相符的登记信息。", "请核对姓名和证件号，" + _HUMAN),
    "sms_too_frequent": ("验证码刚刚发过了。", "请等一分钟再要新的验证码。"),
    "verification_not_found": ("这次验证已经失效了。", "我们重新发一个验证码，好吗？"),
    "verification_locked": ("验证码输错太多次，已经锁定。", "我们重新发一个验证码，好吗？"),
    "verification_already_used": ("这个验证码已经用过了。", "我们重新发一个验证码，好吗？"),
    "code_invalid": ("验证码不对。", "请再看一下短信，慢慢念给我。"),
    "code_expired": ("验证码过期了，五分钟内有效。", "我们重新发一个验证码，好吗？"),
    "card_unreadable": ("没有读到身份证。", "请把身份证平放在读卡区，再试一次。"),
    "citizen_token_required": ("办这件事要先核对身份。", "我们先核对一下身份，好吗？"),
    "citizen_token_invalid": ("身份核对已经失效了。", "我们重新核对一下身份，好吗？"),
    "citizen_token_expired": ("身份核对超过半小时，已经失效。", "我们重新核对一下身份，好吗？"),
    # Proxy authorizations.
    "proxy_authorization_invalid": ("代办授权已经失效或被撤销了。", "请老人重新授权，" + _HUMAN),
    "proxy_scope_denied": ("代办授权里没有这项业务。", "请老人补充授权，" + _HUMAN),
    "proxy_not_allowed": ("这项业务要本人来办，不能代办。", "请老人本人来办，" + _HUMAN),
    "proxy_authorization_not_found": ("没有找到这项代办授权。", "请核对一下，" + _HUMAN),
    "invalid_agent": ("代办人的信息不完整。", "请再说一遍代办人是谁。"),
    "invalid_scopes": ("授权的业务不对，有的不能代办。", "请再说一遍要授权办哪些事。"),
    "invalid_expires_in_days": ("授权天数要在1到365天之间。", "请再说一遍授权多少天。"),
    # Catalog and places.
    "invalid_district": ("没有听清是哪个区。", "请说区的名字，比如姑苏区。"),
    "service_not_found": ("没有找到这项业务。", "请换个说法再说一遍，" + _HUMAN),
    # Education fees and payments.
    "invalid_student_id": ("学籍号应该是10位数字。", "请再说一遍学籍号。"),
    "bill_not_found": ("没有找到这笔账单。", "请核对学号，或说“转人工”。"),
    "bill_already_paid": ("这笔费用已经缴过了，不用再缴。", "还有别的事要办吗？"),
    "payment_not_found": ("没有查到这笔缴费。", "请核对一下，" + _HUMAN),
    "payment_not_pending": ("这笔缴费已经失效，没有扣钱。", "要重新生成缴费码吗？"),
    "invalid_phone": ("手机号好像不对，应该是11位。", "请再说一遍手机号。"),
    "invalid_payer": _RETRY_FORM,
    "invalid_bill_id": _SYSTEM_FAULT,
    # Pension.
    "not_a_pensioner": ("没有查到您领取养老金的记录。", "有疑问可以说“转人工”。"),
    "invalid_certification_method": ("没有这种认证方式。", "可以刷脸、视频，或请人上门。"),
    "certification_already_done": ("您今年的认证已经做过了。", "不用再认证。还有别的事吗？"),
    "invalid_months": ("最多可以查24个月。", "请说要查几个月。"),
    # Utilities.
    "invalid_utility_type": ("没有听清是水费、电费还是燃气费。", "请再说一遍。"),
    "invalid_account_number": ("户号好像不对，应该是10位数字。", "请看一下账单，再说一遍户号。"),
    # Applications.
    "service_not_applicable": ("这件事不用提交申请。", "我直接帮您查，好吗？"),
    "invalid_form": ("申请还缺一些信息。", "我们一项一项补上，好吗？"),
    "commitment_not_accepted": ("这项业务要交证明材料。", "可以到代办点交材料，" + _HUMAN),
    "not_eligible": ("暂时不符合申请条件。", "有疑问可以说“转人工”。"),
    "materials_required": ("申请还缺少证明材料。", "可以到社区代办点补交。"),
    "duplicate_application": ("您已经申请过了，正在办理。", "要帮您查一下进度吗？"),
    "application_not_found": ("没有查到这个办件编号。", "请核对编号，再说一遍。"),
    # E-certificates.
    "invalid_certificate_type": ("没有这种证照。", "请说要出示哪个证，比如身份证。"),
    "certificate_not_found": ("您还没有这个电子证照。", "可以到政务大厅办理，" + _HUMAN),
    "certificate_expired": ("这个证照已经过期了。", "要帮您预约办理换证吗？"),
    # Appointments.
    "point_not_found": ("没有找到这个办事地点。", "我帮您找离家近的地点，好吗？"),
    "service_not_offered": ("这个地点办不了这项业务。", "我帮您换一个地点，好吗？"),
    "invalid_date": ("日期没有听清。", "请说哪一天，比如明天，或者下周一。"),
    "slot_not_found": ("这个时间段没有了。", "我帮您看看别的时间，好吗？"),
    "slot_full": ("这个时间已经约满了。", "我帮您看看别的时间，好吗？"),
    "home_visit_not_available": ("这项业务不能上门办理。", "可以预约到大厅或代办点办。"),
    "address_required": ("上门服务需要您的地址。", "请说一下您家的地址。"),
    "duplicate_appointment": ("这个时间您已经约过了。", "不用再约。还有别的事吗？"),
    "appointment_not_found": ("没有查到这个预约。", "请核对一下，" + _HUMAN),
    # Complaints.
    "invalid_category": ("没有听清是投诉还是建议。", "请再说一遍。"),
    "invalid_content": ("内容太短了，至少要说五个字。", "请把事情再说详细一点。"),
    # Sandbox helpers (never reach a citizen; said like a system fault).
    "sms_not_found": _SYSTEM_FAULT,
    "invalid_faults": _SYSTEM_FAULT,
}
"""Every error code of the contract → (what happened, next step)."""

_NOT_ELIGIBLE: dict[str, tuple[str, str]] = {
    "age_under_80": ("高龄津贴要年满80周岁才能领。", "您可以先办敬老卡，要帮您办吗？"),
    "age_under_60": ("敬老卡要年满60周岁才能办。", "到时候再来办，" + _HUMAN),
    "income_above_threshold": ("家庭人均收入高于低保标准。", "可以问问临时救助，" + _HUMAN),
}
"""``not_eligible`` by ``reason``: say why, and offer what the person can do instead."""

_CLIENT_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "platform_unavailable": (
        "抱歉，办事平台暂时连不上，没有扣任何钱。",
        "您可以稍后再试，或说“转人工”。",
    ),
    "unexpected_response": (
        "抱歉，办事平台的答复出了问题，没有扣任何钱。",
        "您可以稍后再试，或说“转人工”。",
    ),
}
"""The client's own codes (the platform down, an answer of the wrong shape) → sentences."""
_UNKNOWN = ("抱歉，这一步没有办成，没有扣任何钱。", "您可以再试一次，或说“转人工”。")


def explain(error: PlatformError) -> list[str]:
    """The messages to say for ``error``: what happened, then the next step."""
    if error.code in _CLIENT_EXPLANATIONS:
        return list(_CLIENT_EXPLANATIONS[error.code])
    if error.code == "not_eligible" and error.reason in _NOT_ELIGIBLE:
        return list(_NOT_ELIGIBLE[error.reason])
    if error.code == "materials_required" and error.missing:
        missing = "、".join(error.missing)
        first = f"还缺：{missing}。"
        if len(first) <= MAX_SENTENCE_CHARS:
            return [first, _EXPLANATIONS["materials_required"][1]]
    if error.code == "code_invalid" and error.remaining_tries:
        return ["验证码不对。", f"还可以再试{error.remaining_tries}次，请慢慢念给我。"]
    return list(_EXPLANATIONS.get(error.code, _UNKNOWN))


def explained_codes() -> frozenset[str]:
    """Every contract error code with its own explanation (tests check it covers the
    contract)."""
    return frozenset(_EXPLANATIONS)


def explained_client_codes() -> frozenset[str]:
    """The client's own codes with their explanation (tests check it covers them)."""
    return frozenset(_CLIENT_EXPLANATIONS)


def reason_explanations() -> dict[str, tuple[str, str]]:
    """The ``not_eligible`` explanations by reason (for tests)."""
    return dict(_NOT_ELIGIBLE)
