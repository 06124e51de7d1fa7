"""What a word of the services means, asked in the person's own way ("啥个承诺？", "户号是啥",
"办件编号在哪看"): said in plain words with an example or where to find it, never the same
sentence again. Inside a service the question it asked follows (the rules run the form next).

The word is found in what was asked; "这是啥意思" with no word of its own means the word of the
question the service just asked (asked for the 户号, "啥个意思" is about the 户号).
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.instead import answered_instead, asked_before

MEANINGS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("告知承诺", "承诺"),
        (
            "告知承诺，就是您保证说的都是真的，现在不用交证明材料。",
            "比如年龄、收入，以后有关部门可能会核对。",
        ),
    ),
    (
        ("户号", "账户号", "户头"),
        (
            "户号是水费、电费或燃气费的账户号码，是10位数字。",
            "缴费单或账单上写着“户号”的就是。",
        ),
    ),
    (
        ("办件编号", "申请编号", "编号", "SQ"),
        (
            "办件编号是申请时短信里发给您的号码。",
            "它是SQ开头，后面14位数字。",
        ),
    ),
    (
        ("出示码",),
        (
            "出示码是一串数字，给工作人员看，代替您的证件。",
            "它五分钟内有效，用一次就不能再用。",
        ),
    ),
    (
        ("缴费码",),
        (
            "缴费码是交钱用的一串数字。",
            "在手机支付应用或银行的缴费里输入它，就能付款。",
        ),
    ),
    (
        ("学号",),
        (
            "学号是孩子在学校的编号，是10位数字。",
            "学校的缴费通知或者老师发的消息里有。",
        ),
    ),
    (
        ("验证码",),
        (
            "验证码是手机短信里的6位数字，用来确认是您本人。",
            "这个码只告诉我，不要告诉陌生人。",
        ),
    ),
    (
        ("资格认证", "认证"),
        (
            "养老金认证，就是每年确认一次是本人在领，养老金才能照常发。",
            "可以刷脸、视频，或者请人上门。",
        ),
    ),
    (
        ("高龄津贴", "尊老金", "高龄补贴"),
        ("高龄津贴是80岁以上老人每月领的补贴。", "审核通过后，钱发到社保卡上。"),
    ),
    (
        ("敬老卡", "老年卡", "优待证"),
        ("敬老卡是60岁以上老人的优待卡。", "坐公交、进公园可以免费或优惠。"),
    ),
    (
        ("低保",),
        ("低保是给收入很低的家庭的生活补助。", "家里每人每月收入低于当地标准才能申请。"),
    ),
    (
        ("电子证照", "电子证件", "亮证"),
        ("电子证照就是手机上的证件，和纸质证件一样能用。", "要给人看时，我帮您生成出示码。"),
    ),
)
"""Words people ask about (the first is the term itself) and what they are, in two sentences."""

QUESTION_WORDS = {
    "utility_account": "户号",
    "status_application_number": "办件编号",
    "student_id": "学号",
    "sms_code": "验证码",
    "allowance_commitment": "告知承诺",
    "senior_card_commitment": "告知承诺",
    "certification_method": "认证",
}
"""The word a service's question is about, for "这是啥意思" with no word of its own."""

ASKING = re.compile(r"什么|啥|意思|哪|怎么|干嘛|有用|[？?]|吗|呢|不懂|不明白")
"""Words of a question; without any, "不记得编号" answers the question asked, it asks nothing."""

NOT_KNOWN = ("您问的是哪个词？可以这样问：“户号是什么？”", "也可以说“转人工”，请工作人员讲给您听。")


def meaning_of(text: str, asked: str | None = None) -> tuple[str, ...] | None:
    """What the word asked about means (the word in ``text``, else the word of the question
    ``asked``), or None when neither names one."""
    for words, meaning in MEANINGS:
        if any(word in text for word in words):
            return meaning
    word = QUESTION_WORDS.get(asked or "")
    if word is None:
        return None
    return next(meaning for words, meaning in MEANINGS if word in words)


class ActionExplainTerm(Action):
    """ "啥个承诺？": what the word means, in plain words."""

    def name(self) -> str:
        return "action_explain_term"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        in_form = (tracker.active_loop or {}).get("name") == "service_form"
        if in_form and not ASKING.search(text):
            answer = await answered_instead(dispatcher, tracker, questions=None, means=bool)
            if answer is not None:
                return answer
        meaning = meaning_of(text, asked_before(tracker) if in_form else None)
        for sentence in meaning or NOT_KNOWN:
            dispatcher.utter_message(text=sentence)
        return []
