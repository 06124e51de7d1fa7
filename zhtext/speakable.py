"""Speakable text: the one formatter every bot text passes before it is spoken.

Raw digits and symbols must never reach espeak-ng (ACCESSIBILITY.md, "Numbers in Chinese
speech"): amounts become words, dates and times become words, long digit strings are read one
digit at a time in groups with a pause (ID 6-8-4, phone 3-4-4), words with two readings are
respelled (``zhtext.pronunciation``), and buttons become spoken numbered options. The screen
keeps the original text. Applying the formatter to its own output changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from zhtext.numbers import amount_to_words, digits_to_speech, int_to_chinese
from zhtext.pronunciation import respell

_AMOUNT = re.compile(r"[¥￥]\s*(\d[\d,]*(?:\.\d{1,2})?)|(\d[\d,]*(?:\.\d{1,2})?)\s*(?:元|块钱|块)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*(月|日|号)")
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:：](\d{2})(?!\d)")
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


def to_speakable(text: str) -> str:
    """The text as it should be spoken: no ASCII digits or symbols are left in it."""
    spoken = _AMOUNT.sub(lambda m: amount_to_words(m.group(1) or m.group(2)), text)
    spoken = _ISO_DATE.sub(
        lambda m: (
            f"{_year_words(m.group(1))}年{int_to_chinese(int(m.group(2)))}月"
            f"{int_to_chinese(int(m.group(3)))}日"
        ),
        spoken,
    )
    spoken = _YEAR.sub(lambda m: _year_words(m.group(1)) + "年", spoken)
    spoken = _MONTH_DAY.sub(lambda m: int_to_chinese(int(m.group(1))) + m.group(2), spoken)
    spoken = _TIME.sub(
        lambda m: (
            int_to_chinese(int(m.group(1)))
            + "点"
            + (int_to_chinese(int(m.group(2))) + "分" if int(m.group(2)) else "")
        ),
        spoken,
    )
    spoken = _ID_NUMBER.sub(lambda m: _grouped_digits(m.group(1), (6, 8, 4)), spoken)
    spoken = _PERCENT.sub(lambda m: "百分之" + m.group(1), spoken)
    spoken = _DIGIT_RUN.sub(_digit_run, spoken)
    spoken = _DECIMAL.sub(_decimal, spoken)
    spoken = _INTEGER.sub(lambda m: int_to_chinese(int(m.group(0))), spoken)
    spoken = "".join(_SYMBOLS.get(char, char) for char in spoken)
    spoken = _LEFTOVER.sub("", spoken)
    return respell(re.sub(r"\s+", " ", spoken).strip())


def spoken_options(buttons: Iterable[Mapping[str, object]]) -> str:
    """Buttons as spoken numbered options, at most three: "第一，对。第二，不对。"."""
    titles = [str(button.get("title", "")).strip() for button in buttons]
    titles = [title for title in titles if title][: len(_ORDINALS)]
    return "".join(f"第{_ORDINALS[i]}，{to_speakable(t)}。" for i, t in enumerate(titles))
