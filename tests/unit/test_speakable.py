"""zhtext.speakable: what reaches the synthesizer has no ASCII digits or symbols."""

from __future__ import annotations

import re

import pytest

from zhtext.speakable import spoken_options, to_speakable


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("一共 2550.00 元。", "一共 两千五百五十元。"),
        ("¥1234.5", "一千二百三十四元五角"),
        ("2026年秋季学期", "二〇二六年秋季学期"),
        ("请在2026-12-15前付款", "请在二〇二六年十二月十五日前付款"),
        ("12月3日", "十二月三日"),
        ("9:30开门", "九点半开门"),
        ("9:05开门", "九点五分开门"),
        ("电话13912345678", "电话幺三九，幺二三四，五六七八"),
        ("身份证320502195501011234", "身份证三二零五零二，幺九五五零幺零幺，幺二三四"),
        ("缴费码 20839948", "缴费码 二零八三，九九四八"),
        ("共3笔", "共三笔"),
        ("利率2.5%", "利率百分之二点五"),
    ],
)
def test_to_speakable(text: str, spoken: str) -> None:
    assert to_speakable(text) == spoken


@pytest.mark.parametrize(
    "text",
    [
        "一共 2550.00 元。缴费码 20839948，请在2026-12-15前付款 (急) & 谢谢!",
        "学号 7320291068 / 电话 139 1234 5678 * # @ 100%",
        "第1步：12:05；第22步~第30步 <b>",
    ],
)
def test_no_ascii_digits_or_symbols_left(text: str) -> None:
    spoken = to_speakable(text)
    assert not re.search(r"[0-9&*#@%/<>~()!;:]", spoken), spoken


def test_buttons_become_numbered_spoken_options() -> None:
    buttons = [{"title": "对，缴费"}, {"title": "先不缴"}, {"title": "转人工"}, {"title": "多余"}]
    assert spoken_options(buttons) == "第一，对，缴费。第二，先不缴。第三，转人工。"
    assert spoken_options([]) == ""
