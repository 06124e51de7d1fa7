"""voice.numbers: integers and amounts in words, digit strings, spoken digits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voice.numbers import (
    AmountError,
    amount_to_words,
    digits_to_speech,
    format_amount,
    int_to_chinese,
    normalize_spoken_digits,
)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "零"),
        (7, "七"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1005, "一千零五"),
        (1230, "一千二百三十"),
        (10000, "一万"),
        (10005, "一万零五"),
        (100005, "十万零五"),
        (1000000, "一百万"),
        (12345678, "一千二百三十四万五千六百七十八"),
        (100000000, "一亿"),
        (100010000, "一亿零一万"),
        (-15, "负十五"),
    ],
)
def test_int_to_chinese(number: int, words: str) -> None:
    assert int_to_chinese(number) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.50", "一千二百三十四元五角"),
        ("1234.05", "一千二百三十四元零五分"),
        ("1234.56", "一千二百三十四元五角六分"),
        (Decimal("0.30"), "三角"),
        ("0.05", "五分"),
        (0, "零元"),
        (1230, "一千二百三十元"),
        (2550.0, "两千五百五十元"),
        ("22222", "两万两千二百二十二元"),
        ("10.10", "十元一角"),
        ("1,000.00", "一千元"),
        ("0.005", "一分"),  # rounded half up to the fen
    ],
)
def test_amount_to_words(amount: object, words: str) -> None:
    assert amount_to_words(amount) == words  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "", "1.2.3", "NaN", "Infinity"])
def test_amount_rejects_non_numbers(bad: str) -> None:
    with pytest.raises(AmountError):
        amount_to_words(bad)


def test_format_amount_keeps_two_decimals() -> None:
    assert format_amount(1230) == "1230.00"
    assert format_amount("99.5") == "99.50"


def test_digits_to_speech_reads_one_by_one_with_yao() -> None:
    assert digits_to_speech("13912340000") == "幺三九幺二三四零零零零"
    assert digits_to_speech("0107", one_as_yao=False) == "零一零七"
    assert digits_to_speech("11010119550101123X").endswith("叉")


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("三二零五零幺二四幺拐", "3205012417"),
        ("3205 0124 17", "3205012417"),
        ("洞洞幺两", "0012"),
        ("学号是三二零五", "学号是3205"),
        ("３２０５", "3205"),
        ("32050219550101123叉", "32050219550101123X"),
        ("139-1234-5678", "13912345678"),
    ],
)
def test_normalize_spoken_digits(spoken: str, digits: str) -> None:
    assert normalize_spoken_digits(spoken) == digits


def test_normalize_keeps_words_and_leading_zeros() -> None:
    assert normalize_spoken_digits("你好") == "你好"
    assert normalize_spoken_digits("零零七") == "007"
