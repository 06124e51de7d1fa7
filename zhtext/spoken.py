"""Typed fragments: a message whose numbers say what they are.

The speakable formatter (:mod:`zhtext.speakable`) has to guess what a digit string is from the
text around it. A message built by code knows: an ID number, a phone number, a code, a masked
number. :func:`zhtext.speakable.spoken` joins plain text and typed fragments into the screen
text and the text to speak, so that an identifier is never read as a quantity, whatever spaces
surround it:

    spoken("缴费码是 ", code("88541080"), "。")
    → Spoken(text="缴费码是 8854 1080。", speech="缴费码是 八八五四，幺零八零。")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhtext.numbers import digits_to_speech

LETTER_NAMES = {
    "A": "诶",
    "B": "比",
    "C": "西",
    "D": "迪",
    "E": "伊",
    "F": "艾弗",
    "G": "吉",
    "H": "艾尺",
    "I": "艾",
    "J": "杰",
    "K": "开",
    "L": "艾勒",
    "M": "艾姆",
    "N": "恩",
    "O": "欧",
    "P": "皮",
    "Q": "丘",
    "R": "阿",
    "S": "艾丝",
    "T": "提",
    "U": "优",
    "V": "维",
    "W": "达不溜",
    "X": "艾克斯",
    "Y": "歪",
    "Z": "贼德",
}
"""Latin letters as Mandarin speakers name them, in characters the ``cmn-latn-pinyin`` voice
reads as words (it spells a bare Latin letter as English or skips it)."""


@dataclass(frozen=True)
class Fragment:
    """A piece of a message as it is shown and as it is said."""

    screen: str
    speech: str


INTERNAL_ID = re.compile(r"[a-z]{1,8}_[0-9a-f]{6,}")
"""A system's internal id (``pc_1be67aed50ff0b3d``)."""


def is_internal_id(value: str) -> bool:
    """Whether ``value`` is a system's internal id (``pc_1be67aed50ff0b3d``): it means nothing to
    a citizen and is neither shown nor said."""
    return bool(INTERNAL_ID.fullmatch(str(value)))


def _digits(value: str) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit() or ch in "xX").upper()


def grouped(digits: str, sizes: tuple[int, ...]) -> list[str]:
    """``digits`` cut into groups of ``sizes`` (the rest in one last group)."""
    out, start = [], 0
    for size in sizes:
        if start >= len(digits):
            break
        out.append(digits[start : start + size])
        start += size
    if start < len(digits):
        out.append(digits[start:])
    return out


def _said(groups: list[str]) -> str:
    return "，".join(digits_to_speech(group) for group in groups if group)


def id_number(value: str) -> Fragment:
    """An ID number: 6-8-4 groups on screen and in speech; X is said 叉."""
    groups = grouped(_digits(value), (6, 8, 4))
    return Fragment(" ".join(groups), _said(groups))


def phone(value: str) -> Fragment:
    """A phone number: a mobile in 3-4-4 groups; a landline with its area code (010 and 02x
    three digits, the others four) and then the local number (7 digits 3-4, 8 digits 4-4);
    anything else in groups of four."""
    digits = _digits(value)
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        area = 3 if digits[1] in "12" else 4
        sizes: tuple[int, ...] = (area, len(digits) - area - 4, 4)
    else:
        sizes = (3, 4, 4) if len(digits) == 11 else (4,) * 4
    groups = grouped(digits, sizes)
    return Fragment(" ".join(groups), _said(groups))


def digits(value: str) -> Fragment:
    """An identifier or code of digits (student and account numbers, pay codes, record
    numbers): said one digit at a time in groups of four; shown as it is."""
    raw = _digits(value)
    return Fragment(str(value), _said(grouped(raw, (4,) * (len(raw) // 4 + 1))))


def code(value: str, *, name: str = "") -> Fragment:
    """A code that may start with letters (``SQ20260913000001``): shown as it is; said with
    the letters by their names and the digits in groups of four, or as ``name`` ("申请编号")
    when one is given instead of the letters."""
    text = str(value)
    letters = "".join(ch for ch in text if ch.isascii() and ch.isalpha()).upper()
    number = "".join(ch for ch in text if ch.isdigit())
    lead = name or "".join(LETTER_NAMES.get(ch, "") for ch in letters)
    said = _said(grouped(number, (4,) * (len(number) // 4 + 1)))
    return Fragment(text, f"{lead}，{said}" if lead and said else lead or said)


def masked(value: str) -> Fragment:
    """A masked number (``135****8646``, ``6222 **** 1234``): shown as it is, said by the
    digits that can be seen at its end, "尾号八六四六"."""
    text = str(value)
    tail = ""
    for ch in reversed(text):
        if ch.isdigit() or ch in "xX":
            tail = ch + tail
        elif tail:
            break
    return Fragment(text, f"尾号{digits_to_speech(tail)}" if tail else "")
