"""The speakable-text formatter as the synthesizer uses it: IDs, phones, amounts, dates and
buttons come out as words, nothing ASCII is left, and formatting twice changes nothing."""

from __future__ import annotations

import random
import re

import pytest

from zhtext.speakable import spoken_options, to_speakable

ASCII_DIGIT = re.compile(r"[0-9]")


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("身份证11010519491231002X", "身份证幺幺零幺零五，幺九四九幺二三幺，零零二叉"),
        ("手机 13800138000", "手机 幺三八，零零幺三，八零零零"),
        ("应缴 ¥0.50", "应缴 五角"),
        ("应缴 1,234.05 元", "应缴 一千二百三十四元零五分"),
        ("2027年1月1日起", "二〇二七年一月一日起"),
        ("14:00到17:30", "十四点到十七点半"),
        ("学号 7320291068", "学号 七三二〇，二九幺〇，六八"),
    ],
)
def test_numbers_in_words(text: str, spoken: str) -> None:
    result = to_speakable(text)
    # 〇 and 零 are both read "líng" by espeak-ng; compare them as one.
    assert result.replace("〇", "零") == spoken.replace("〇", "零")


@pytest.mark.parametrize(
    "text",
    [
        "您好！我是办事小助手。",
        "一共 2550.00 元。缴费码 20839948，请在2026-12-15前付款",
        "电话13912345678，身份证320502195501011234",
        "到中国银行办理还款，找行长",
    ],
)
def test_formatting_twice_changes_nothing(text: str) -> None:
    once = to_speakable(text)
    assert to_speakable(once) == once


def test_random_text_never_keeps_ascii_digits_or_symbols() -> None:
    rng = random.Random(6)
    alphabet = "0123456789.,:-/%¥元年月日号 &*#@()!?;~<>交学费银行"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        spoken = to_speakable(text)
        assert not ASCII_DIGIT.search(spoken), (text, spoken)
        assert not re.search(r"[&*#@%/<>~()!;:.,\-]", spoken), (text, spoken)


def test_spoken_options_are_respelled_too() -> None:
    assert spoken_options([{"title": "去银行还款"}, {"title": "转人工"}]) == (
        "第一，去银杭环款。第二，转人工。"
    )
