"""Numbers in Chinese speech: integers and amounts in words, digit strings read one by one,
and spoken digits turned back into digit strings.

Pure functions with no state, shared by the speakable-text formatter, the actions and the
voice engine (ACCESSIBILITY.md, "Numbers in Chinese speech").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

_DIGITS = "零一二三四五六七八九"

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


def int_to_chinese(number: int) -> str:
    """A whole number in Chinese words: 1234 → 一千二百三十四, 10 → 十, 100005 → 十万零五.

    cn2an says numbers below 一亿; above, it drops the 零 of an empty 万 section (330 0000 4732
    would be 三百三十亿四千七百三十二), so the 亿 part and the rest are said separately. Works up
    to 10**16 - 1; negative numbers get 负.
    """
    if number < 0:
        return "负" + int_to_chinese(-number)
    if number >= 10**16:
        raise ValueError(f"number too large to say: {number}")
    if number < 10**8:
        return str(cn2an.an2cn(number, "low"))
    high, rest = divmod(number, 10**8)
    words = int_to_chinese(high) + "亿"
    if rest == 0:
        return words
    rest_words = str(cn2an.an2cn(rest, "low"))
    if rest < 10**7:
        words += "零"
        if rest_words.startswith("十"):
            rest_words = "一" + rest_words
    return words + rest_words


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


# --- Whole utterances, before the text reaches Rasa -------------------------------------------

_RUN_DIGITS: dict[str, str] = {
    **{str(i): str(i) for i in range(10)},
    **_FULLWIDTH_DIGITS,
    "零": "0",
    "〇": "0",
    "○": "0",
    "洞": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "拐": "7",
    "八": "8",
    "九": "9",
}
"""Characters that may make up a run of digits said one by one."""

_RUN_CHECK = {"叉": "X", "x": "X", "X": "X", "ｘ": "X", "Ｘ": "X"}
"""The ID check character: only inside or at the end of a run of digits."""

_RUN_SEPARATORS = set(" \t\u3000-－—_·")
_MIN_RUN = 3
# 一 at the edge of a run that belongs to a word: 统一, 万一, 第一 … / 一下, 一点, 一遍 …
_WORD_BEFORE_YI = set("统万第唯同单划专逐之其任另归")
_WORD_AFTER_YI = set("下点遍起些样般定直共切致旦律边会块次向概再生辈家")

_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_NUMERAL_UNITS = set("十百千万亿")
_NUMERAL_DIGITS = set("零〇一二两三四五六七八九")
# Words after a number that make it a quantity (longest first).
_MEASURE_WORDS = (
    "分钟",
    "小时",
    "公斤",
    "千克",
    "周岁",
    "星期",
    "礼拜",
    "年级",
    *"元块毛角个月号日年岁天周次笔张位名户间层楼栋幢室度吨斤倍点钟人多来余期本份项条套",
)
_YI_MEASURE_WORDS = ("周岁", *"元块毛角月号日岁")
_NOT_MONEY_AFTER_KUAI = set("儿去来走吃住坐")
_LONE_DIGIT_PREFIXES = set("初高周期拜")


@dataclass(frozen=True)
class Replacement:
    """One change: ``original[start:end]`` became ``text[new_start:new_end]``."""

    start: int
    end: int
    new_start: int
    new_end: int
    original: str
    replacement: str


@dataclass(frozen=True)
class Normalized:
    """An utterance after :func:`normalize_utterance`, with the offset map back to the original.

    ``sources[i]`` is the ``(start, end)`` range of the original text that character ``i`` of
    ``text`` comes from; ``spans`` lists the changed regions.
    """

    text: str
    original: str
    spans: tuple[Replacement, ...]
    sources: tuple[tuple[int, int], ...] = field(repr=False)

    def to_normalized(self, start: int, end: int) -> tuple[int, int]:
        """Move a span of the original text to the normalised text.

        A span that covers part of a changed region grows to the whole region.
        """
        new_start = next(
            (i for i, (_, src_end) in enumerate(self.sources) if src_end > start), len(self.text)
        )
        new_end = new_start
        for i in range(len(self.sources) - 1, new_start - 1, -1):
            if self.sources[i][0] < end:
                new_end = i + 1
                break
        return new_start, new_end

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Move a span of the normalised text back to the original text."""
        if not self.sources:
            return 0, len(self.original)
        if start >= end:
            point = self.sources[start][0] if start < len(self.sources) else len(self.original)
            return point, point
        return self.sources[start][0], self.sources[end - 1][1]


# An edit of the current text: (start, end, pieces); each piece is a replacement string and the
# range of the current text it comes from.
_Edit = tuple[int, int, list[tuple[str, tuple[int, int]]]]


def normalize_utterance(text: str) -> Normalized:
    """Prepare an utterance (typed, or from the speech recognizer) for understanding.

    - Spaces between Chinese characters (the recognizer puts them between words) are removed;
      a space is kept only between two Latin words of two letters or more ("S Q" → "SQ").
    - A run of at least three digits said one by one becomes plain digits, digit by digit,
      keeping leading zeros: 幺→1, 两→2, 拐→7, 洞→0, 〇/零→0, full-width digits; spaces and
      dashes between the digits are dropped; 叉/x becomes X inside or at the end of the run
      ("三二零五 零幺二四 幺拐" → "3205012417").
    - Quantities become numbers through cn2an: 两千五百元 → 2500元, 三个月 → 3个月,
      十二月三号 → 12月3号, 一百块 → 100块. Words such as 一下, 一点, 一遍, 一起, 统一, 万一,
      一些, 第一, and approximate numbers such as 两三个, stay as they are.
    - Words of the regional Mandarin older people speak become the standard ones the
      understanding knows (:data:`DIALECT_WORDS`: 不晓得 → 不知道, 记不住 → 记不清, 屋里 → 家里,
      啥个 → 什么).

    Returns the text and the map between the offsets of the two texts (entity spans found in
    the original can be moved with :meth:`Normalized.to_normalized`).
    """
    current = text
    sources = [(i, i + 1) for i in range(len(text))]
    for stage in (_space_edits, _dialect_edits, _digit_run_edits, _quantity_edits):
        edits = stage(current)
        if edits:
            current, sources = _apply(current, sources, edits)
    return Normalized(current, text, _changed_spans(text, current, sources), tuple(sources))


def _apply(
    text: str, sources: list[tuple[int, int]], edits: list[_Edit]
) -> tuple[str, list[tuple[int, int]]]:
    out: list[str] = []
    new_sources: list[tuple[int, int]] = []
    position = 0
    for start, end, pieces in sorted(edits, key=lambda edit: edit[0]):
        for i in range(position, start):
            out.append(text[i])
            new_sources.append(sources[i])
        for piece, (src_start, src_end) in pieces:
            origin = (sources[src_start][0], sources[src_end - 1][1])
            for char in piece:
                out.append(char)
                new_sources.append(origin)
        position = end
    for i in range(position, len(text)):
        out.append(text[i])
        new_sources.append(sources[i])
    return "".join(out), new_sources


def _changed_spans(
    original: str, text: str, sources: list[tuple[int, int]]
) -> tuple[Replacement, ...]:
    def same(j: int) -> bool:
        start, end = sources[j]
        return end - start == 1 and original[start] == text[j]

    spans: list[Replacement] = []
    j = position = 0
    while j < len(text) or position < len(original):
        if j < len(text) and same(j) and sources[j][0] == position:
            j += 1
            position += 1
            continue
        start, new_start = position, j
        while j < len(text) and not same(j):
            j += 1
        end = sources[j][0] if j < len(text) else len(original)
        end = max(end, max((sources[k][1] for k in range(new_start, j)), default=end))
        spans.append(Replacement(start, end, new_start, j, original[start:end], text[new_start:j]))
        position = end
    return tuple(spans)


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _single_letters(text: str, start: int, end: int) -> bool:
    """Whether the Latin word before or after ``text[start:end]`` is one letter ("S Q")."""
    before = start - 1 > 0 and _is_latin(text[start - 2])
    after = end + 1 < len(text) and _is_latin(text[end + 1])
    return not before or not after


DIALECT_WORDS: tuple[tuple[str, str], ...] = (
    ("不晓得", "不知道"),
    ("晓不得", "不知道"),
    ("晓得", "知道"),
    ("记不住", "记不清"),
    ("记不到", "记不清"),
    ("忘球了", "忘了"),
    ("屋里头", "家里"),
    ("屋头", "家里"),
    ("屋里", "家里"),
    ("啥个", "什么"),
    ("啥子", "什么"),
    ("么子", "什么"),
    ("啥", "什么"),
    ("咋个", "怎么"),
    ("咋", "怎么"),
    ("莫得", "没有"),
    ("没得", "没有"),
    ("没个信", "没消息"),
    ("没个信儿", "没消息"),
    ("娃儿", "孩子"),
    ("伢", "孩子"),
)
"""Regional words and the standard ones, longest first where one contains another."""
_DIALECT = re.compile(
    "|".join(re.escape(w) for w, _ in sorted(DIALECT_WORDS, key=lambda p: -len(p[0])))
)
_STANDARD = dict(DIALECT_WORDS)


def _dialect_edits(text: str) -> list[_Edit]:
    return [
        (m.start(), m.end(), [(_STANDARD[m.group()], m.span())]) for m in _DIALECT.finditer(text)
    ]


def _space_edits(text: str) -> list[_Edit]:
    edits: list[_Edit] = []
    for match in re.finditer(r"\s+", text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if _is_latin(before) and _is_latin(after) and not _single_letters(text, start, end):
            if match.group() != " ":
                edits.append((start, end, [(" ", (start, end))]))
            continue
        edits.append((start, end, []))
    return edits


def _digit_run_edits(text: str) -> list[_Edit]:
    edits: list[_Edit] = []
    index = 0
    while index < len(text):
        if text[index] not in _RUN_DIGITS:
            index += 1
            continue
        members = _scan_run(text, index)
        end = members[-1] + 1
        members = _trim_run(text, members)
        digit_count = sum(1 for i in members if text[i] in _RUN_DIGITS)
        if digit_count >= _MIN_RUN:
            first, last = members[0], members[-1] + 1
            pieces = [
                (_RUN_DIGITS.get(text[i]) or _RUN_CHECK[text[i]], (i, i + 1)) for i in members
            ]
            edits.append((first, last, pieces))
        else:
            for i in members:
                if text[i] in _FULLWIDTH_DIGITS:
                    edits.append((i, i + 1, [(_FULLWIDTH_DIGITS[text[i]], (i, i + 1))]))
        index = end
    return edits


def _scan_run(text: str, start: int) -> list[int]:
    """Positions of the digits (and check characters) of the run that starts at ``start``."""
    members = [start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char in _RUN_DIGITS or (char in _RUN_CHECK and text[members[-1]] in _RUN_DIGITS):
            members.append(index)
            index += 1
        elif char in _RUN_SEPARATORS:
            following = index
            while following < len(text) and text[following] in _RUN_SEPARATORS:
                following += 1
            if following < len(text) and text[following] in _RUN_DIGITS:
                index = following
            else:
                break
        else:
            break
    # A check character counts only after at least three digits.
    while text[members[-1]] in _RUN_CHECK and len(members) - 1 < _MIN_RUN:
        members.pop()
    return members


def _trim_run(text: str, members: list[int]) -> list[int]:
    members = list(members)
    first = members[0]
    if text[first] == "一" and first and text[first - 1] in _WORD_BEFORE_YI:
        members.pop(0)
    if members:
        last = members[-1]
        if text[last] == "一" and last + 1 < len(text) and text[last + 1] in _WORD_AFTER_YI:
            members.pop()
    return members or [first]


def _quantity_edits(text: str) -> list[_Edit]:
    edits: list[_Edit] = []
    for match in _NUMERAL.finditer(text):
        start, end = match.span()
        numeral = match.group()
        if not _is_quantity(text, start, end, numeral):
            continue
        try:
            value = cn2an.cn2an(numeral, "smart")
        except (ValueError, KeyError, IndexError):
            continue
        number = str(int(value)) if float(value).is_integer() else str(value)
        edits.append((start, end, [(number, (start, end))]))
    return edits


def _is_quantity(text: str, start: int, end: int, numeral: str) -> bool:
    before = text[start - 1] if start else ""
    after = text[end:]
    if before == "第":
        return False
    if numeral[0] not in _NUMERAL_DIGITS and not (numeral[0] == "十" and len(numeral) > 1):
        # 千万, 万一, 百分 … are words; a bare 十 counts only as 十块, 十个 ….
        if numeral != "十":
            return False
        return any(after.startswith(word) for word in _MEASURE_WORDS if word != "分")
    has_unit = any(char in _NUMERAL_UNITS for char in numeral)
    if has_unit:
        return True
    if len(numeral) > 1:
        return False  # 两三个, 七八十: approximate, or digits said one by one
    if before in _LONE_DIGIT_PREFIXES:
        return False  # 初三, 周一, 星期三
    if numeral == "一":
        if after.startswith("块") and after[1:2] in _NOT_MONEY_AFTER_KUAI:
            return False
        return any(after.startswith(word) for word in _YI_MEASURE_WORDS)
    return any(after.startswith(word) for word in _MEASURE_WORDS)


_CORRECTION = re.compile(
    r"(?:不对不对|不对|说错了|搞错了|错了|哦不|噢不|不是不是)[，,。、\s]*(?:应该是|是)?"
)
_DIGIT_RUN = re.compile(r"[0-9X]+")
_WHICH_DIGITS = re.compile(r"(?:最后|后面|后)?[0-9一二三四五六七八九两]位(?:数)?(?:是|应该是)?")


def corrected_digits(text: str) -> str:
    """A number said with a correction inside the sentence, as the person meant it.

    ``text`` holds plain digits (see :func:`normalize_spoken_digits`). "…0275，不对不对，是…0274"
    → the number after the correction; when only its end is said again ("…75，不对，是74"),
    that end replaces the end of the first number. Without a correction the text is returned
    as it is.
    """
    parts = _CORRECTION.split(text)
    if len(parts) < 2:
        return text
    before = "".join(_DIGIT_RUN.findall("".join(parts[:-1])))
    # "最后四位是2402" (normalised "最后4位是2402"): the count is not part of the number.
    after = "".join(_DIGIT_RUN.findall(_WHICH_DIGITS.sub("", parts[-1])))
    if not after:
        return text
    if len(after) >= len(before) or not before:
        return after
    return before[: len(before) - len(after)] + after
