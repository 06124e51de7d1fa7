"""Numbers said for what they are: identifiers and codes digit by digit, masked numbers by
their visible tail, times as people say them — in typed fragments built by the actions, in
the formatter's guesses for free text, in every response of the domain, and in every message
the actions build."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from banshi import paths
from zhtext import spoken as said
from zhtext.speakable import spoken, to_speakable

QUANTITY_WORDS = re.compile("[十百千万亿]")


@pytest.mark.parametrize(
    ("text", "speech"),
    [
        # The review's findings, each as the caller heard it before.
        ("320508 19400228 2402", "三二零五零八，幺九四零零二二八，二四零二"),
        (
            "身份证号是 320508 19400228 784X，对吗？",
            "身份证号是，三二零五零八，幺九四零零二二八，七八四叉，对吗？",
        ),
        ("135****8646", "尾号八六四六"),
        ("户号尾号 2000 的水费", "户号尾号二零零零 的水费"),
        ("发到 6222 **** **** 1234。", "发到，尾号幺二三四。"),
        ("手机号是 182 9210 6718，对吗？", "手机号是，幺八二，九二幺零，六七幺八，对吗？"),
        ("缴费码是 8854 1080。", "缴费码是，八八五四，幺零八零。"),
        ("申请编号 SQ20260913000001", "申请编号，艾丝丘，二零二六，零九幺三，零零零零，零幺"),
        ("编号 pc_1be67aed50ff0b3d。", "编号。"),
        ("下午2点来", "下午两点来"),
        ("8:30-17:30", "八点半到十七点半"),
        ("工作时间 9:00～12:00", "工作时间 九点到十二点"),
        # Quantities stay quantities.
        ("一共 3050.00 元。", "一共 三千零五十元。"),
        ("排在第12位", "排在第十二位"),
        ("有2个账单", "有两个账单"),
        ("孙子上2年级", "孙子上二年级"),
    ],
)
def test_the_formatter_says_what_a_number_is(text: str, speech: str) -> None:
    assert to_speakable(text) == speech
    assert to_speakable(speech) == speech  # applying it again changes nothing


def test_fragments_are_shown_and_said_as_what_they_are() -> None:
    message = spoken("身份证号是 ", said.id_number("32050819400228784x"), "，对吗？")
    assert message.text == "身份证号是 320508 19400228 784X，对吗？"
    assert message.speech == "身份证号是 三二零五零八，幺九四零零二二八，七八四叉，对吗？"
    assert spoken("手机号是 ", said.phone("18292106718"), "。").text == "手机号是 182 9210 6718。"
    # landlines: the area code, then the local number
    assert said.phone("057188886666").screen == "0571 8888 6666"
    assert said.phone("01066668888").screen == "010 6666 8888"
    assert said.phone("03111234567").screen == "0311 123 4567"
    assert said.phone("0311-1234567").speech == "零三幺幺，幺二三，四五六七"
    # A code of digits without spaces is still said in groups, never as one big number.
    code = spoken("缴费码是 ", said.digits("88541080"), "。")
    assert code.text == "缴费码是 88541080。" and code.speech == "缴费码是 八八五四，幺零八零。"
    named = spoken("申请编号是 ", said.code("SQ20260913000001", name="编号"), "。")
    assert named.speech == "申请编号是 编号，二零二六，零九幺三，零零零零，零幺。"
    lettered = spoken("记录号 ", said.code("RZ0042"), "。").speech
    assert lettered == "记录号 阿贼德，零零四二。"
    assert spoken("发到 ", said.masked("6222****1234"), "。").speech == "发到 尾号幺二三四。"


def _responses() -> list[str]:
    texts: list[str] = []
    for path in sorted((paths.ROOT / "bot" / "domain").glob("*.yml")):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for variants in (domain.get("responses") or {}).values():
            texts += [str(v["text"]) for v in variants if v.get("text")]
    return texts


def test_every_response_of_the_domain_is_speakable() -> None:
    responses = _responses()
    assert responses
    for text in responses:
        speech = to_speakable(text)
        assert not re.search(r"[0-9A-Za-z*#@_]", speech), (text, speech)
        # A digit string in a response is a hotline or an example: never said as a quantity.
        for run in re.findall(r"\d{5,}", text):
            assert "".join(said.digits(run).speech.split("，")) in speech.replace("，", ""), text


IDENTIFIER = re.compile(r"(?i)(^|_)(id|phone|code|number|ticket|masked)$")


def _identifier_interpolations(tree: ast.AST) -> list[str]:
    """Expressions put into an f-string that is said (``say``/``reject``) whose names say they
    are identifiers: these must be typed fragments, not text."""
    found = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if name not in ("say", "reject"):
            continue
        for arg in call.args:
            for joined in (n for n in ast.walk(arg) if isinstance(n, ast.JoinedStr)):
                for value in joined.values:
                    if not isinstance(value, ast.FormattedValue):
                        continue
                    names = [
                        n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", "")
                        for n in ast.walk(value.value)
                        if isinstance(n, ast.Attribute | ast.Name)
                    ] + [
                        str(n.value)
                        for n in ast.walk(value.value)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    ]
                    if any(IDENTIFIER.search(n) for n in names):
                        found.append(ast.unparse(value.value))
    return found


def test_no_action_says_an_identifier_as_plain_text() -> None:
    actions = sorted(Path(paths.ROOT / "actions").rglob("*.py"))
    assert len(actions) > 10
    offenders = {
        str(path.relative_to(paths.ROOT)): found
        for path in actions
        if (found := _identifier_interpolations(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_identifier_rule_catches_a_plain_identifier() -> None:
    tree = ast.parse('turn.say(f"缴费码是 {payment.pay_code}。")\nturn.say(f"{n}岁")')
    assert _identifier_interpolations(tree) == ["payment.pay_code"]


def test_the_gateway_speaks_a_message_as_its_action_said() -> None:
    from conversation.service import bot_items

    told = spoken("户号尾号 ", said.digits("2000"), "。")
    replies = [
        {"text": told.text, "buttons": [{"title": "好的", "payload": "/affirm"}]},
        {"custom": {"speech": told.speech}},
        {"text": "还有别的事吗？"},
        {"custom": {"setting": {"speech_rate": "slow"}}},
    ]
    items = bot_items(replies)
    assert [text for text, _ in items] == ["户号尾号 2000。", "还有别的事吗？"]
    assert items[0][1]["speech"] == "户号尾号 二零零零。第一，好的。"
    assert items[1][1]["speech"] == "还有别的事吗？"
    # Without the action's speech the same text is a guess: here, a quantity.
    assert bot_items(replies[:1])[0][1]["speech"] != items[0][1]["speech"]


def test_internal_ids_are_told_apart() -> None:
    assert said.is_internal_id("pc_1be67aed50ff0b3d")
    assert not said.is_internal_id("RZ20261205000042")
    assert not said.is_internal_id("SQ20260913000001")
