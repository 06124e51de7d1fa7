"""voice.transcript: spaces, digits, field kinds and phrase hints."""

from __future__ import annotations

import pytest

from voice.transcript import (
    CONTROL_PHRASES,
    FieldKind,
    clean_transcript,
    field_kind,
    phrase_hints,
    wants_slower,
)


@pytest.mark.parametrize(
    ("raw", "kind", "text"),
    [
        ("我 要 交 学费", FieldKind.FREE, "我要交学费"),
        ("幺 三 九 幺 二 三 四 五 六 七 八", FieldKind.DIGITS, "13912345678"),
        ("三 二 零 五 洞 幺 两 拐", FieldKind.DIGITS, "32050127"),
        ("[unk] 对", FieldKind.YES_NO, "对"),
        ("  ", FieldKind.FREE, ""),
        ("오늘 날씨가 좋습니다", FieldKind.FREE, "오늘 날씨가 좋습니다"),
        ("我 要 ABC", FieldKind.FREE, "我要ABC"),
    ],
)
def test_clean_transcript(raw: str, kind: FieldKind, text: str) -> None:
    assert clean_transcript(raw, kind=kind) == text


def test_free_text_keeps_chinese_numbers() -> None:
    """Quantities are not digit strings: 两三个 stays as said."""
    assert clean_transcript("两 三 个", kind=FieldKind.FREE) == "两三个"


@pytest.mark.parametrize(
    ("prompt", "buttons", "kind"),
    [
        ("好的，帮您交学费。请告诉我孩子的学号。", [], FieldKind.DIGITS),
        ("请说一下您的手机号。", [], FieldKind.DIGITS),
        ("现在缴费吗？", [{"title": "对，缴费"}, {"title": "先不缴"}], FieldKind.YES_NO),
        ("是本人办理吗？", [], FieldKind.YES_NO),
        ("请问您要办什么事？", [], FieldKind.FREE),
        # A way out that starts with 不 is not a no: the question stays open.
        ("这件事在什么地方？不想说可以说“不说地点”。", [{"title": "不说地点"}], FieldKind.FREE),
        ("请说一个手机号。不想留请说“不留”。", [{"title": "不留电话"}], FieldKind.FREE),
        ("请说您母亲说“我同意”。", [{"title": "我同意", "payload": "/affirm"}], FieldKind.YES_NO),
        ("现在缴，还是以后再说", [{"title": "不缴了"}], FieldKind.YES_NO),
    ],
)
def test_field_kind(prompt: str, buttons: list[dict[str, str]], kind: FieldKind) -> None:
    assert field_kind(prompt, buttons) is kind


def test_hints_always_include_the_control_phrases() -> None:
    digits = phrase_hints(FieldKind.DIGITS)
    yes_no = phrase_hints(FieldKind.YES_NO, [{"title": "对，缴费"}])
    assert {"幺", "洞", "拐", "两"} <= set(digits)
    assert "对，缴费" in yes_no and "不对" in yes_no
    for hints in (digits, yes_no):
        assert set(CONTROL_PHRASES) <= set(hints)
        assert len(hints) == len(set(hints))
    assert phrase_hints(FieldKind.FREE) == []


@pytest.mark.parametrize(
    ("text", "slower"),
    [("说慢点", True), ("你说慢一点", True), ("太快了", True), ("慢性病报销", False)],
)
def test_wants_slower(text: str, slower: bool) -> None:
    assert wants_slower(text) is slower
