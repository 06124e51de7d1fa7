"""voice.expect: what a question expects, and when a heard text is a complete answer."""

from __future__ import annotations

from datetime import date

import pytest

from voice.expect import Expectation, ExpectKind, expectation
from voice.transcript import FieldKind
from zhtext.idcard import make_id_number

ID = make_id_number("320508", date(1940, 2, 28), 240)  # 320508194002282402
WRONG_CHECK = ID[:17] + ("0" if ID[17] != "0" else "1")
YES_NO_BUTTONS = [{"title": "对", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}]


@pytest.mark.parametrize(
    ("prompt", "buttons", "hint", "kind", "length", "field"),
    [
        # The identity questions, as the actions word them.
        (
            "请说您的身份证号。记不清可以说“用手机号”。",
            [{"title": "用手机号", "payload": "用手机号"}],
            None,
            ExpectKind.ID_NUMBER,
            None,
            FieldKind.FREE,
        ),
        ("请说您的手机号。", [], None, ExpectKind.PHONE, None, FieldKind.DIGITS),
        ("请说您身份证号的最后六位。", [], None, ExpectKind.ID_TAIL, None, FieldKind.DIGITS),
        ("请把短信里的六位验证码念给我。", [], None, ExpectKind.DIGITS, 6, FieldKind.DIGITS),
        (
            "请说水费的户号，是10位数字，缴费单上有。",
            [],
            None,
            ExpectKind.DIGITS,
            10,
            FieldKind.DIGITS,
        ),
        # A number of unknown length: digits, but it cannot be complete before the silence …
        (
            "好的，帮您交学费。请告诉我孩子的学号。",
            [],
            None,
            ExpectKind.DIGITS,
            None,
            FieldKind.DIGITS,
        ),
        # … unless the bot says how long it is.
        (
            "好的，帮您交学费。请告诉我孩子的学号。",
            [],
            "digits:10",
            ExpectKind.DIGITS,
            10,
            FieldKind.DIGITS,
        ),
        (
            "身份证号是 320508…，对吗？",
            YES_NO_BUTTONS,
            None,
            ExpectKind.YES_NO,
            None,
            FieldKind.YES_NO,
        ),
        ("是本人办理吗？", [], None, ExpectKind.YES_NO, None, FieldKind.YES_NO),
        (
            "要申请哪一种：低保、临时救助，还是医疗救助？",
            [{"title": "低保"}, {"title": "临时救助"}, {"title": "医疗救助"}],
            None,
            ExpectKind.CHOICE,
            None,
            FieldKind.FREE,
        ),
        ("我能帮您查养老金、医保。", [], None, ExpectKind.FREE, None, FieldKind.FREE),
        # An explicit hint wins over the guess; a hint of the wrong shape is ignored.
        ("请说一下。", [], "phone", ExpectKind.PHONE, None, FieldKind.FREE),
        ("请说一下。", [], "yes_no", ExpectKind.YES_NO, None, FieldKind.YES_NO),
        ("请说您的手机号。", [], "no_such_kind", ExpectKind.PHONE, None, FieldKind.DIGITS),
        ("请说您的手机号。", [], {"kind": "phone"}, ExpectKind.PHONE, None, FieldKind.DIGITS),
    ],
)
def test_what_a_question_expects(
    prompt: str,
    buttons: list[dict[str, str]],
    hint: object,
    kind: ExpectKind,
    length: int | None,
    field: FieldKind,
) -> None:
    expected = expectation(prompt, buttons, hint)
    assert (expected.kind, expected.length, expected.field) == (kind, length, field)


@pytest.mark.parametrize(
    ("kind", "length", "text", "answer"),
    [
        # An ID: 18 characters with a valid check character, said or typed.
        (ExpectKind.ID_NUMBER, None, ID, ID),
        (ExpectKind.ID_NUMBER, None, "三 二 零 五 零 八 幺 九 四 零 零 二 二 八 二 四 零 二", ID),
        (ExpectKind.ID_NUMBER, None, f"我的身份证号是{ID}", ID),
        (ExpectKind.ID_NUMBER, None, ID[:17], None),  # one character still to come
        (ExpectKind.ID_NUMBER, None, WRONG_CHECK, None),  # misheard: the silence decides
        (ExpectKind.ID_NUMBER, None, f"不对，是{ID}", None),  # a correction: let them finish
        (ExpectKind.ID_NUMBER, None, f"{ID}对吧", None),  # words after the number
        (ExpectKind.ID_NUMBER, None, "11010519491231002x", "11010519491231002X"),
        # A phone: 11 digits starting with 1.
        (ExpectKind.PHONE, None, "幺三九 幺二三四 五六七八", "13912345678"),
        (ExpectKind.PHONE, None, "1391234567", None),
        (ExpectKind.PHONE, None, "139123456789", None),
        (ExpectKind.PHONE, None, "23912345678", None),
        (ExpectKind.PHONE, None, "139 1234 和 5678", None),  # two numbers
        # Digit strings of a known length.
        (ExpectKind.DIGITS, 10, "七三二零二九幺零六八", "7320291068"),
        (ExpectKind.DIGITS, 10, "732029106", None),
        (ExpectKind.DIGITS, None, "7320291068", None),  # length unknown: never complete
        (ExpectKind.ID_TAIL, None, "28240X", "28240X"),
        (ExpectKind.ID_TAIL, None, "二八二四零二", "282402"),
        (ExpectKind.ID_TAIL, None, "2824", None),
        # Yes or no: the whole answer, nothing more.
        (ExpectKind.YES_NO, None, "对", "对"),
        (ExpectKind.YES_NO, None, "不对", "不对"),
        (ExpectKind.YES_NO, None, "是的。", "是的"),
        (ExpectKind.YES_NO, None, "对啊", "对"),
        (ExpectKind.YES_NO, None, "不", None),
        (ExpectKind.YES_NO, None, "对但是地址要改", None),
        (ExpectKind.YES_NO, None, "", None),
        # The control phrases are whole answers to any question but a free one.
        (ExpectKind.PHONE, None, "转人工", "转人工"),
        (ExpectKind.YES_NO, None, "再说一遍", "再说一遍"),
        (ExpectKind.FREE, None, "转人工", None),
        # Free speech is never complete early.
        (ExpectKind.FREE, None, "我要交学费", None),
    ],
)
def test_a_complete_expected_answer(
    kind: ExpectKind, length: int | None, text: str, answer: str | None
) -> None:
    expected = Expectation(kind, length)
    assert expected.answer(text) == answer
    assert expected.complete(text) is (answer is not None)


def test_the_buttons_are_complete_answers() -> None:
    expected = expectation(
        "请说一个手机号，方便给您回复。不想留请说“不留”。",
        [{"title": "不留电话", "payload": "不留"}],
        "phone",
    )
    assert expected.choices == ("不留电话", "不留")
    assert expected.answer("不 留") == "不留"
    assert expected.answer("不留电话") == "不留电话"
    assert expected.answer("13912345678") == "13912345678"
    assert expected.answer("不留了") is None
    choice = expectation(
        "您想在哪里办？", [{"title": "平江代办点"}, {"title": "请人上门", "payload": "上门"}]
    )
    assert choice.kind is ExpectKind.CHOICE
    assert choice.answer("平江代办点") == "平江代办点"
    assert choice.answer("上门") == "上门"
    assert choice.answer("对") is None  # a choice question is not a yes/no one
    assert choice.answer("平江") is None
    korean = expectation("是这样吗？", [{"title": "네"}, {"title": "아니요"}])
    assert korean.answer("아니요") == "아니요" and korean.answer("아니") is None


def test_which_expectations_can_end_early() -> None:
    assert not Expectation().ends_early
    assert not Expectation(ExpectKind.DIGITS).ends_early
    assert Expectation(ExpectKind.DIGITS, 10).ends_early
    assert Expectation(ExpectKind.FREE, choices=("低保",)).ends_early
    for kind in (ExpectKind.ID_NUMBER, ExpectKind.ID_TAIL, ExpectKind.PHONE, ExpectKind.YES_NO):
        assert Expectation(kind).ends_early


def test_hints_are_those_of_the_listening_mode() -> None:
    """The grammar does not change with expectations: a yes/no question listens for yes/no
    words and its buttons, a number asked with a button decodes freely."""
    yes_no = expectation("对吗？", YES_NO_BUTTONS)
    assert {"对", "不对", "转人工"} <= set(yes_no.hints())
    assert expectation("请说您的身份证号。", [{"title": "用手机号"}]).hints() == []
    assert "幺" in expectation("请说您的手机号。").hints()


@pytest.mark.parametrize(
    ("hint", "parsed"),
    [
        ("id_number", Expectation(ExpectKind.ID_NUMBER)),
        ("id_tail", Expectation(ExpectKind.ID_TAIL)),
        ("phone", Expectation(ExpectKind.PHONE)),
        ("digits:10", Expectation(ExpectKind.DIGITS, 10)),
        ("yes_no", Expectation(ExpectKind.YES_NO)),
        ("phone:11", None),  # only digits take a length
        ("digits:0", None),
        ("digits:", None),
        ("Phone", None),
        ("", None),
        (None, None),
        (11, None),
    ],
)
def test_the_hint_wire_form(hint: object, parsed: Expectation | None) -> None:
    assert Expectation.parse(hint) == parsed
    if parsed is not None:
        assert parsed.to_wire() == hint
