"""Reading a waiting citizen's short answers: yes, no, a phone number, "call me back",
"keep waiting", "cancel", "I agree" (pure functions; the bot does not see these turns)."""

from __future__ import annotations

import re

from zhtext.numbers import normalize_spoken_digits

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{9,11})(?!\d)")
_DENY = re.compile(r"不对|不是|错了|不要|不用|不行|/deny")
_AFFIRM = re.compile(r"^(对|是|好|嗯|可以|没错|确认|行|/affirm)|对的|是的|没错|正确")
_CALLBACK = re.compile(r"回电|回拨|打给我|打电话给我|留电话|要回电|打回来")
_WAIT = re.compile(r"继续等|再等|我等|等一下|等着|不着急")
_CANCEL = re.compile(r"取消|不等了|不用了|算了|不转了|不要人工")
_AGREE = re.compile(r"/proxy_consent_agree|我同意|^同意|可以代办|同意代办")
_DISAGREE = re.compile(r"/proxy_consent_decline|不同意|不代办|不用代办")


def phone_number(text: str) -> str | None:
    """The phone number in what was said or typed (mobile 11 digits, or a landline), or None."""
    digits = re.sub(r"[\s\-－()（）]", "", normalize_spoken_digits(text))
    match = _MOBILE.search(digits) or _LANDLINE.search(digits)
    return match.group(1) if match else None


def is_deny(text: str) -> bool:
    """ "不对", "不是" …"""
    return bool(_DENY.search(text))


def is_affirm(text: str) -> bool:
    """ "对", "是的", "好" … (and not a denial)."""
    return not is_deny(text) and bool(_AFFIRM.search(text.strip()))


def wants_callback(text: str) -> bool:
    """ "回电", "打给我" …"""
    return bool(_CALLBACK.search(text))


def wants_to_wait(text: str) -> bool:
    """ "继续等" …"""
    return bool(_WAIT.search(text))


def wants_to_cancel(text: str) -> bool:
    """ "取消", "不等了" …"""
    return bool(_CANCEL.search(text))


def consent(text: str) -> bool | None:
    """True for "我同意" (typed, said or tapped), False for "不同意", None for neither."""
    if _DISAGREE.search(text):
        return False
    if _AGREE.search(text.strip()):
        return True
    return None


def consent_method(text: str, channel: str) -> str:
    """How consent was given: tapped (the button's payload), spoken (phone), typed."""
    if text.startswith("/proxy_consent"):
        return "tapped"
    return "spoken" if channel == "phone" else "typed"
