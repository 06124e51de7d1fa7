"""What the citizen reads and hears from the handoff part, in plain Chinese.

Each notice is a (text, payload) pair for the conversation core: the payload carries the text
to speak (through the one speakable-text formatter) and the buttons that mirror the options
(at most three, ACCESSIBILITY.md).
"""

from __future__ import annotations

from typing import Any

from conversation.masking import mask_text
from conversation.service import MessageItem
from conversation.store import Party
from zhtext import spoken as said
from zhtext.speakable import spoken, spoken_options, to_speakable

Notice = MessageItem

YES_CALLBACK = "回电"
KEEP_WAITING = "继续等"
AGREE = "我同意"
DISAGREE = "不同意"


def notice(text: str, *, buttons: list[tuple[str, str]] | None = None, code: str = "") -> Notice:
    """A system message with its speech and buttons (title, payload)."""
    payload: dict[str, Any] = {"speech": to_speakable(text)}
    if buttons:
        payload["buttons"] = [{"title": t, "payload": p} for t, p in buttons]
        payload["speech"] += spoken_options(payload["buttons"])
    if code:
        payload["code"] = code
    return (Party.SYSTEM, text, payload)


def staff_message(text: str, staff_name: str) -> Notice:
    """A staff member's reply as the citizen gets it."""
    return (Party.STAFF, text, {"speech": to_speakable(text), "staff": staff_name})


def queued(position: int, wait: str) -> str:
    """The first answer to a handoff request."""
    ahead = "您前面没有人" if position <= 1 else f"您前面还有{position - 1}位"
    return f"好的，正在为您转接工作人员。{ahead}，{wait}。您可以先说说要办什么事。"


def position_update(position: int, wait: str) -> Notice:
    """The citizen's new place in the queue."""
    if position <= 1:
        return notice(f"马上就到您了，{wait}。请稍等。", code="queue_position")
    return notice(f"您现在排第{position}位，{wait}。请稍等。", code="queue_position")


def offer_callback(*, open_now: bool, hours: str, when: str, busy: bool) -> Notice:
    """Nobody can take the conversation now: offer a call-back (or to keep waiting)."""
    if not open_now:
        why = f"现在是下班时间，{hours}上班。"
    elif busy:
        why = "工作人员现在都在忙，让您久等了。"
    else:
        why = "现在暂时没有工作人员在线。"
    return notice(
        f"{why}要工作人员{when}给您回电吗？",
        buttons=[("要回电", YES_CALLBACK), ("继续等", KEEP_WAITING)],
        code="callback_offer",
    )


def ask_phone(*, again: bool = False) -> Notice:
    """Ask for the call-back number."""
    text = "没听清号码。请再说一遍手机号码，11位数字。" if again else "请说出或输入您的手机号码。"
    return notice(text, buttons=[("继续等", KEEP_WAITING)], code="callback_phone")


def confirm_phone(phone: str) -> Notice:
    """Read the number back in groups (3-4-4) and ask to confirm it."""
    told = spoken("您的电话是 ", said.phone(phone), "，对吗？")
    payload: dict[str, Any] = {
        "speech": told.speech,
        "buttons": [{"title": "对", "payload": "对"}, {"title": "不对", "payload": "不对"}],
        "code": "callback_confirm",
    }
    return (Party.SYSTEM, told.text, payload)


def callback_arranged(phone: str, when: str) -> Notice:
    """The call-back task exists: say when and to which (masked) number."""
    return notice(
        f"好的，工作人员会在{when}打{mask_text(phone)}给您回电。还有别的事吗？",
        code="callback_arranged",
    )


def keep_waiting(position: int, wait: str) -> Notice:
    """The citizen chose to keep waiting."""
    return notice(f"好的，请继续等待。您现在排第{position}位，{wait}。", code="queue_position")


def already_claimed() -> Notice:
    """A staff member took the conversation while the citizen was answering the offer."""
    return notice("工作人员已经接入了，请直接和工作人员说。", code="claimed")


def cancelled() -> Notice:
    """The citizen stopped waiting."""
    return notice("好的，已取消转人工。小助手继续为您服务，请问您要办什么事？", code="cancelled")


def claimed(staff_name: str) -> Notice:
    """A person took the conversation."""
    return notice(f"您好，我是工作人员{staff_name}，现在由我为您服务。", code="claimed")


def transferred(staff_name: str) -> Notice:
    """Another person continues."""
    return notice(f"现在由工作人员{staff_name}继续为您服务。", code="transferred")


def staff_left() -> Notice:
    """The person serving the citizen can no longer do so: back in the queue."""
    return notice(
        "刚才为您服务的工作人员暂时不能继续了，另一位工作人员会接着为您服务，请您稍等。",
        code="staff_left",
    )


def closed() -> Notice:
    """Staff closed the conversation."""
    return notice(
        "本次人工服务已结束，谢谢您。还有事可以继续和小助手说，或者说“转人工”。", code="closed"
    )


def welcome_back_fallback(summary: str) -> str:
    """The greeting after staff hand back, when the bot cannot be reached."""
    done = f"刚才工作人员帮您：{summary}。" if summary else "刚才工作人员已经帮您处理了。"
    return f"您好，我是办事小助手。{done}还有别的事要办吗？"


def waiting_ack(position: int, wait: str) -> Notice:
    """A message while waiting: it is kept for staff."""
    return notice(
        f"收到，工作人员接入后会看到您说的话。您现在排第{position}位，{wait}。",
        code="queue_position",
    )


def consent_request(service_name: str, staff_name: str) -> Notice:
    """Ask the citizen's consent for a proxy case (代办)."""
    return notice(
        f"工作人员{staff_name}可以替您代办“{service_name}”。代办时会用您的身份在办事平台上办理，"
        f"并留下记录。如果同意，请说“我同意”或点“我同意”。",
        buttons=[(AGREE, "/proxy_consent_agree"), (DISAGREE, "/proxy_consent_decline")],
        code="proxy_consent",
    )


def consent_recorded(service_name: str) -> Notice:
    """Consent is on record."""
    return notice(f"已记录您的同意。工作人员正在为您代办“{service_name}”，请稍等。")


def consent_declined() -> Notice:
    """The citizen did not consent."""
    return notice("好的，不代办。工作人员会告诉您自己办理的方法。")


def proxy_done(service_name: str, result: str) -> Notice:
    """The proxy case is finished."""
    return notice(f"您委托代办的“{service_name}”已经办好：{result}", code="proxy_done")
