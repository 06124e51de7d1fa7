"""From what the recognizer heard to what the dialogue gets: spaces removed, digits normalised,
and what to listen for next (phrase hints) guessed from the bot's last prompt.

Pure text functions, no state.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping

from zhtext.numbers import normalize_spoken_digits


class FieldKind(str, enum.Enum):
    """What the bot's prompt asks for, which decides the phrase hints and digit handling."""

    FREE = "free"
    DIGITS = "digits"
    YES_NO = "yes_no"


# Phrases that must be understood at every turn (DESIGN.md §6), whatever the prompt asked.
CONTROL_PHRASES = ("转人工", "人工", "再说一遍", "说慢点", "慢一点", "不办了", "取消")
YES_NO_PHRASES = ("对", "不对", "是", "不是", "是的", "好", "好的", "可以", "不用", "没错", "错了")
DIGIT_PHRASES = tuple("零洞一幺二两三四五六七拐八九叉")
_NO_WORDS = ("不对", "不是", "不同意", "不用", "不要", "不行", "不缴", "不交", "不办")

_DIGIT_PROMPT = re.compile(
    r"(学号|身份证|证件号|手机号|电话|号码|缴费码|账号|户号|编号|验证码|卡号|办件号)"
)
_YES_NO_PROMPT = re.compile(r"(吗[？?]?\s*$|对不对|是不是|好不好|可以吗|确认)")
_SLOWER = re.compile(r"(说?慢[一]?点|说得?慢|太快了|讲慢)")
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_UNKNOWN = re.compile(r"\[unk\]|<unk>", re.IGNORECASE)


def field_kind(prompt: str, buttons: Iterable[Mapping[str, object]] = ()) -> FieldKind:
    """What the bot's last prompt asks for: a digit string, a yes/no answer, or anything."""
    listed = list(buttons)
    titles = [str(button.get("title", "")).strip() for button in listed]
    if _DIGIT_PROMPT.search(prompt) and not titles:
        return FieldKind.DIGITS
    if any(_is_yes_no_button(title, button) for title, button in zip(titles, listed, strict=True)):
        return FieldKind.YES_NO
    if _YES_NO_PROMPT.search(prompt):
        return FieldKind.YES_NO
    return FieldKind.FREE


def _is_yes_no_button(title: str, button: Mapping[str, object]) -> bool:
    """A yes or a no: 对…/是…, 不对/不是/不同意…, or an ``/affirm``/``/deny`` button. A way
    out that starts with 不 ("不说地点", "不留电话") is not a no: its question stays open."""
    if str(button.get("payload", "")) in ("/affirm", "/deny"):
        return True
    return title.startswith(("对", "是")) or title.startswith(_NO_WORDS)


def phrase_hints(kind: FieldKind, buttons: Iterable[Mapping[str, object]] = ()) -> list[str]:
    """Phrases to bias the recognizer to (a Vosk grammar), or ``[]`` for free speech.

    Yes/no prompts listen for yes/no words, the button titles and the control phrases; digit
    prompts for spoken digits and the control phrases. Free prompts get no grammar.
    """
    if kind is FieldKind.FREE:
        return []
    titles = [str(button.get("title", "")).strip() for button in buttons]
    base = YES_NO_PHRASES if kind is FieldKind.YES_NO else DIGIT_PHRASES
    phrases = [*base, *(t for t in titles if t), *CONTROL_PHRASES]
    return list(dict.fromkeys(phrases))


def clean_transcript(text: str, *, kind: FieldKind = FieldKind.FREE) -> str:
    """The recognizer's text for the dialogue: ``[unk]`` dropped, the spaces Vosk puts between
    Chinese words removed (spaces between words of other scripts, such as Korean, are kept),
    and spoken digits turned into digits for a digit field (幺三九 → 139)."""
    text = _UNKNOWN.sub(" ", text)
    text = _SPACE_NEAR_CJK.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    if kind is FieldKind.DIGITS:
        text = normalize_spoken_digits(text)
    return text


def wants_slower(text: str) -> bool:
    """Whether the citizen asked the bot to speak more slowly ("说慢点", V8)."""
    return bool(_SLOWER.search(text))
