"""Numbers in Chinese speech: integers and amounts in words, digit strings read one by one,
and spoken digits turned back into digit strings.

Pure functions with no state, shared by the speakable-text formatter, the actions and the
voice engine (ACCESSIBILITY.md, "Numbers in Chinese speech").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_SECTION_UNITS = ("", "万", "亿", "万亿")

# Spoken forms of digits, as people say them when they read a number out (ACCESSIBILITY.md).
_SPOKEN_DIGITS: dict[str, str] = {
    "零": "0",
    "〇": "0",
    "○": "0",
    "洞": "0",
    "o": "0",
    "O": "0",
    "一": "1",
    "幺": "1",
    "么": "1",
    "壹": "1",
    "二": "2",
    "两": "2",
    "贰": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "拐": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "勾": "9",
    "玖": "9",
    "叉": "X",
    "x": "X",
    "X": "X",
}
_FULLWIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}
_SEPARATORS = set(" \t,，、-－—_.。·")


_LIANG = re.compile(r"(^|[零万亿元])二(?=[千万亿])")


class AmountError(ValueError):
    """An amount could not be read as a number of yuan."""


def _section_to_chinese(section: int) -> str:
    """Words for 0 < section < 10000, with 零 for inner gaps (1005 → 一千零五)."""
    words: list[str] = []
    zero_pending = False
    for power in range(3, -1, -1):
        digit = section // 10**power % 10
        if digit == 0:
            if words:
                zero_pending = True
            continue
        if zero_pending:
            words.append("零")
            zero_pending = False
        words.append(_DIGITS[digit] + _SMALL_UNITS[power])
    return "".join(words)


def int_to_chinese(number: int) -> str:
    """A whole number in Chinese words: 1234 → 一千二百三十四, 10 → 十, 100005 → 十万零五.

    Works up to 10**16 - 1; negative numbers get 负.
    """
    if number < 0:
        return "负" + int_to_chinese(-number)
    if number == 0:
        return "零"
    if number >= 10**16:
        raise ValueError(f"number too large to say: {number}")
    sections = []
    while number:
        sections.append(number % 10000)
        number //= 10000
    words: list[str] = []
    zero_pending = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or section < 1000):
            words.append("零")
        words.append(_section_to_chinese(section) + _SECTION_UNITS[index])
        zero_pending = False
    text = "".join(words)
    # 一十二 → 十二 at the start, as people say it.
    return text[1:] if text.startswith("一十") else text


def to_decimal_yuan(amount: Decimal | float | int | str) -> Decimal:
    """An amount of yuan rounded to the fen (0.01), from a number or a numeric string."""
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation as error:
        raise AmountError(f"not an amount: {amount!r}") from error
    if not value.is_finite():
        raise AmountError(f"not an amount: {amount!r}")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount_to_words(amount: Decimal | float | int | str) -> str:
    """An amount of yuan in words, as it is spoken: 1234.50 → 一千二百三十四元五角,
    1234.05 → 一千二百三十四元零五分, 0.30 → 三角, 0 → 零元."""
    value = to_decimal_yuan(amount)
    sign = "负" if value < 0 else ""
    fen_total = int(abs(value) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    parts = []
    if yuan:
        parts.append(int_to_chinese(yuan) + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            parts.append("零")
        parts.append(_DIGITS[fen] + "分")
    if not parts:
        return "零元"
    # People say 两千, 两万, 两亿 for a leading 2 before those units.
    return sign + _LIANG.sub(r"\1两", "".join(parts))


def format_amount(amount: Decimal | float | int | str) -> str:
    """An amount for the screen, in digits with two decimals: 1230 → "1230.00"."""
    return f"{to_decimal_yuan(amount):.2f}"


def digits_to_speech(digits: str, *, one_as_yao: bool = True) -> str:
    """A digit string read one digit at a time: "13912" → 幺三九幺二 (一 when one_as_yao is off).

    Leading zeros are kept; X (the ID checksum) is read as 叉; other characters are dropped.
    """
    out = []
    for char in digits:
        if char.isdigit():
            out.append("幺" if char == "1" and one_as_yao else _DIGITS[int(char)])
        elif char in "xX":
            out.append("叉")
    return "".join(out)


def normalize_spoken_digits(text: str) -> str:
    """Turn a digit string as people say or type it into plain digits, keeping leading zeros.

    幺→1, 两→2, 拐→7, 洞→0, 叉→X, full-width digits to ASCII; spaces, commas and dashes between
    digits are dropped. Other characters are kept as they are, so "学号三二零五" → "学号3205".
    Use it only for digit fields (IDs, phones, student and account numbers), never for
    quantities, where 两三个 means "two or three".
    """
    out: list[str] = []
    for index, char in enumerate(text):
        char = _FULLWIDTH_DIGITS.get(char, char)
        if char.isascii() and char.isdigit():
            out.append(char)
        elif char in _SPOKEN_DIGITS and (char not in "xXoO" or _between_digits(text, index)):
            out.append(_SPOKEN_DIGITS[char])
        elif char in _SEPARATORS and _between_digits(text, index):
            continue
        else:
            out.append(char)
    return "".join(out)


def _is_digitish(char: str) -> bool:
    char = _FULLWIDTH_DIGITS.get(char, char)
    return (char.isascii() and char.isdigit()) or (char in _SPOKEN_DIGITS and char not in "oO")


def _between_digits(text: str, index: int) -> bool:
    """Whether position ``index`` sits inside a run of digits (ignoring separators)."""
    before = next((c for c in reversed(text[:index]) if c not in _SEPARATORS), "")
    after = next((c for c in text[index + 1 :] if c not in _SEPARATORS), "")
    return (
        bool(before)
        and _is_digitish(before)
        and (not after or _is_digitish(after) or text[index] in "xX")
    )
