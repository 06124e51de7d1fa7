"""Speakable text: the one formatter every bot text passes before it is spoken.

Raw digits and symbols must never reach espeak-ng (ACCESSIBILITY.md, "Numbers in Chinese
speech"): amounts become words, dates and times become words, long digit strings are read one
digit at a time in groups with a pause (ID 6-8-4, phone 3-4-4), words with two readings are
respelled (``zhtext.pronunciation``), and buttons become spoken numbered options. The screen
keeps the original text. Applying the formatter to its own output changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from zhtext.numbers import amount_to_words, digits_to_speech, int_to_chinese
from zhtext.pronunciation import respell
from zhtext.spoken import INTERNAL_ID, Fragment, code, id_number, masked, phone

_AMOUNT = re.compile(r"[¥￥]\s*(\d[\d,]*(?:\.\d{1,2})?)|(\d[\d,]*(?:\.\d{1,2})?)\s*(?:元|块钱|块)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*(月|日|号)")
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:：](\d{2})(?!\d)")
_TIME_RANGE = re.compile(r"(?<!\d)(\d{1,2}[:：]\d{2})\s*[-–—~～至]\s*(\d{1,2}[:：]\d{2})(?!\d)")
# A number whose digits are partly hidden: 135****8646, 6222 **** **** 1234, ****8646.
_MASKED = re.compile(r"(?<![\dA-Za-z])(?:\d[\d ]*)?\*{3,}[\* ]*[\dXx]{2,4}(?![\dXx])")
# The last digits of a number, named as such: 尾号 8646.
_TAIL = re.compile(r"(尾号|后四位|后六位)\s*([\dXx]{2,6})(?![\dXx])")
# Identifiers written in their read-back groups: ID 6-8-4, mobile 3-4-4.
_ID_GROUPED = re.compile(r"(?<![\dXx])\d{6}[ -]\d{8}[ -]\d{3}[\dXx](?![\dXx])")
_PHONE_GROUPED = re.compile(r"(?<!\d)1\d{2}[ -]\d{4}[ -]\d{4}(?!\d)")
# Digits in groups of three or four separated by spaces (codes read back: 8854 1080).
_DIGIT_GROUPS = re.compile(r"(?<![\d.])\d{3,4}(?: \d{3,4})+(?![\d.])")
# A code of capital letters and digits (SQ20260913000001): letters by name, digits grouped.
_LETTER_CODE = re.compile(r"(?<![A-Za-z\d])([A-Z]{1,4})(\d{4,})(?![A-Za-z\d])")
# Internal ids (pc_1be67aed50ff0b3d) mean nothing to a listener.
_INTERNAL_ID = re.compile(rf"(?<![A-Za-z\d]){INTERNAL_ID.pattern}(?![A-Za-z\d])")
# A lone 2 counting something is 两 (两点, 两个), not 二.
_TWO = re.compile(r"(?<![\d.])2(?=\s*(?:点|个|位|份|张|次|天|周|小时|分钟|岁|件|项|年(?!级)|条))")
_ID_NUMBER = re.compile(r"(?<![\dXx])(\d{17}[\dXx])(?![\dXx])")
_DIGIT_RUN = re.compile(r"\d{5,}")
_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_INTEGER = re.compile(r"\d+")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_SYMBOLS = {
    "&": "和",
    "+": "加",
    "=": "等于",
    "@": "",
    "#": "号",
    "*": "星号",
    "/": "，",
    "\\": "，",
    "~": "到",
    "|": "，",
    "<": "",
    ">": "",
    "[": "",
    "]": "",
    "{": "",
    "}": "",
    "_": "",
    "^": "",
    "`": "",
    '"': "",
    "(": "，",
    ")": "，",
    ":": "：",
    ";": "；",
    "!": "！",
    "?": "？",
    ",": "，",
    "$": "",
    "%": "",
}
_ORDINALS = "一二三"
# Whatever ASCII is left after the rules above and is not a letter or a space (a stray digit
# cannot remain, but "'" or "." could): espeak-ng would spell it out, so it goes.
_LEFTOVER = re.compile(r"[^\sA-Za-z\u0080-\uffff]")


def _year_words(year: str) -> str:
    return "".join("〇" if d == "0" else int_to_chinese(int(d)) for d in year)


def _grouped_digits(digits: str, groups: Iterable[int]) -> str:
    out, start = [], 0
    for size in groups:
        out.append(digits_to_speech(digits[start : start + size]))
        start += size
    if start < len(digits):
        out.append(digits_to_speech(digits[start:]))
    return "，".join(part for part in out if part)


def _digit_run(match: re.Match[str]) -> str:
    digits = match.group(0)
    if len(digits) == 11 and digits.startswith("1"):
        return _grouped_digits(digits, (3, 4, 4))
    if len(digits) <= 6:
        return digits_to_speech(digits)
    return _grouped_digits(digits, [4] * (len(digits) // 4))


def _decimal(match: re.Match[str]) -> str:
    return (
        int_to_chinese(int(match.group(1)))
        + "点"
        + digits_to_speech(match.group(2), one_as_yao=False)
    )


def _time(match: re.Match[str]) -> str:
    hour, minute = re.split("[:：]", match.group(0))
    words = int_to_chinese(int(hour)).replace("二", "两") if hour in ("2", "02") else None
    words = words or int_to_chinese(int(hour))
    if int(minute) == 30:
        return f"{words}点半"
    return f"{words}点" + (int_to_chinese(int(minute)) + "分" if int(minute) else "")


def _fragment(make: Callable[[str], Fragment]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return f"，{make(match.group(0)).speech}，"

    return replace


def _letter_code(match: re.Match[str]) -> str:
    return f"，{code(match.group(0)).speech}，"


def to_speakable(text: str) -> str:
    """The text as it should be spoken: no ASCII digits or symbols are left in it.

    What a number is, is guessed from its form: a masked number, an ID or phone number in its
    read-back groups, groups of digits, a code with letters — each said digit by digit —
    before amounts, dates, times and quantities. A message built by code says instead what its
    numbers are (:func:`spoken`).
    """
    spoken = _INTERNAL_ID.sub("", text)
    spoken = _MASKED.sub(_fragment(masked), spoken)
    spoken = _TAIL.sub(lambda m: m.group(1) + digits_to_speech(m.group(2)), spoken)
    spoken = _ID_GROUPED.sub(_fragment(id_number), spoken)
    spoken = _PHONE_GROUPED.sub(_fragment(phone), spoken)
    spoken = _LETTER_CODE.sub(_letter_code, spoken)
    spoken = _TIME_RANGE.sub(lambda m: f"{m.group(1)}到{m.group(2)}", spoken)
    spoken = _AMOUNT.sub(lambda m: amount_to_words(m.group(1) or m.group(2)), spoken)
    spoken = _ISO_DATE.sub(
        lambda m: (
            f"{_year_words(m.group(1))}年{int_to_chinese(int(m.group(2)))}月"
            f"{int_to_chinese(int(m.group(3)))}日"
        ),
        spoken,
    )
    spoken = _YEAR.sub(lambda m: _year_words(m.group(1)) + "年", spoken)
    spoken = _MONTH_DAY.sub(lambda m: int_to_chinese(int(m.group(1))) + m.group(2), spoken)
    spoken = _TIME.sub(_time, spoken)
    spoken = _ID_NUMBER.sub(lambda m: _grouped_digits(m.group(1), (6, 8, 4)), spoken)
    spoken = _DIGIT_GROUPS.sub(
        lambda m: "，" + "，".join(digits_to_speech(g) for g in m.group(0).split()) + "，", spoken
    )
    spoken = _TWO.sub("两", spoken)
    spoken = _PERCENT.sub(lambda m: "百分之" + m.group(1), spoken)
    spoken = _DIGIT_RUN.sub(_digit_run, spoken)
    spoken = _DECIMAL.sub(_decimal, spoken)
    spoken = _INTEGER.sub(lambda m: int_to_chinese(int(m.group(0))), spoken)
    spoken = "".join(_SYMBOLS.get(char, char) for char in spoken)
    spoken = _LEFTOVER.sub("", spoken)
    spoken = re.sub(r"\s+", " ", spoken).strip()
    # The pauses put around fragments: never doubled, never next to other punctuation.
    spoken = re.sub(r"\s*，[\s，]*", "，", spoken)
    spoken = re.sub(r"，(?=[。：；！？、])|(?<=[。：；！？、])，", "", spoken)
    spoken = re.sub(r"^，|，$", "", spoken)
    spoken = re.sub(r"\s+(?=[，。：；！？、])", "", spoken)
    return respell(spoken)


_MARK = 0xE000  # the first of Unicode's private-use characters


@dataclass(frozen=True)
class Spoken:
    """A whole message: the screen text and the text to speak."""

    text: str
    speech: str


def spoken(*parts: str | Fragment) -> Spoken:
    """Plain text (spoken by :func:`to_speakable`) and typed fragments (spoken as they say,
    :mod:`zhtext.spoken`) joined into one message."""
    screen = "".join(p.screen if isinstance(p, Fragment) else p for p in parts)
    # The plain text is spoken as a whole, with each fragment held by a private-use character
    # the formatter keeps, so that the words around a fragment are read in their context.
    fragments = [p for p in parts if isinstance(p, Fragment)]
    marks = iter(chr(_MARK + index) for index in range(len(fragments)))
    held = "".join(next(marks) if isinstance(p, Fragment) else p for p in parts)
    speech = to_speakable(held)
    for index, fragment in enumerate(fragments):
        speech = speech.replace(chr(_MARK + index), fragment.speech)
    return Spoken(screen, " ".join(speech.split()))


def spoken_options(buttons: Iterable[Mapping[str, object]]) -> str:
    """Buttons as spoken numbered options, at most three: "第一，对。第二，不对。"."""
    titles = [str(button.get("title", "")).strip() for button in buttons]
    titles = [title for title in titles if title][: len(_ORDINALS)]
    return "".join(f"第{_ORDINALS[i]}，{to_speakable(t)}。" for i, t in enumerate(titles))
