"""nlu.entity_ruler.PatternEntityExtractor on its own (with the normaliser in front)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.entity_ruler import OWNED_ENTITIES, PatternEntityExtractor
from nlu.normalizer import ORIGINAL_TEXT, SpokenNumberNormalizer
from zhtext.idcard import make_id_number

VALID_ID = make_id_number("320508", date(1955, 1, 1), 123)


def parse(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, text: str
) -> tuple[Message, list[dict[str, Any]]]:
    message = Message(data={TEXT: text})
    normalizer.process([message])
    extractor.process([message])
    return message, message.get(ENTITIES, [])


def found(entities: list[dict[str, Any]], text: str) -> list[tuple[str, str, str]]:
    return [(e["entity"], text[e["start"] : e["end"]], e["value"]) for e in entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要交电费", [("utility_type", "电费", "electricity")]),
        ("电钱怎么交", [("utility_type", "电钱", "electricity")]),
        ("煤气费交一下", [("utility_type", "煤气费", "gas")]),
        ("燃气费", [("utility_type", "燃气费", "gas")]),
        ("天然气的钱", [("utility_type", "天然气", "gas")]),
        ("交 水费", [("utility_type", "水费", "water")]),
        ("我要出示电子社保卡", [("certificate_type", "电子社保卡", "social_security_card")]),
        ("社保卡", [("certificate_type", "社保卡", "social_security_card")]),
        ("下载户口本", [("certificate_type", "户口本", "hukou")]),
        ("我的驾照呢", [("certificate_type", "驾照", "driving_license")]),
        ("阿拉老头子的敬老卡掉了", [("certificate_type", "敬老卡", "senior_card")]),
        ("结婚证", [("certificate_type", "结婚证", "marriage")]),
        ("退休证", [("certificate_type", "退休证", "retirement")]),
        ("我住在姑苏区", [("district", "姑苏区", "姑苏区")]),
        ("我住 姑苏", [("district", "姑苏", "姑苏区")]),
        ("园区的", [("district", "园区", "工业园区")]),
        ("孙子在沧浪小学读书", [("school", "沧浪小学", "姑苏区沧浪实验小学")]),
        (
            "姑苏区平江幼儿园",
            [("school", "姑苏区平江幼儿园", "姑苏区平江幼儿园")],
        ),
        (
            "预约姑苏区政务服务中心",
            [("agency_point", "姑苏区政务服务中心", "姑苏区政务服务中心")],
        ),
        (
            "平江代办点几点开门",
            [("agency_point", "平江代办点", "平江街道党群服务中心代办点")],
        ),
        (
            "木渎镇党群服务中心代办点",
            [("agency_point", "木渎镇党群服务中心代办点", "木渎镇党群服务中心代办点")],
        ),
        ("我的电话是 幺三九 幺二三四 五六七八", [("phone_number", "13912345678", "13912345678")]),
        ("手机 139-1234-5678", [("phone_number", "13912345678", "13912345678")]),
        (
            "查一下申请号SQ20261103123456",
            [("application_number", "SQ20261103123456", "SQ20261103123456")],
        ),
        (
            "申请号 sq 二零二六 幺幺零三 幺二三四五六",
            [("application_number", "sq20261103123456", "SQ20261103123456")],
        ),
        ("我住在吴中区木渎中山路", [("district", "吴中区", "吴中区")]),
    ],
)
def test_spans_values_and_canonical_ids(
    normalizer: SpokenNumberNormalizer,
    extractor: PatternEntityExtractor,
    text: str,
    expected: list[tuple[str, str, str]],
) -> None:
    message, entities = parse(normalizer, extractor, text)
    assert found(entities, message.get(TEXT)) == expected
    assert message.get(ORIGINAL_TEXT) == text


def test_entity_metadata(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor
) -> None:
    _, entities = parse(normalizer, extractor, "交电费")
    assert entities == [
        {
            "entity": "utility_type",
            "start": 1,
            "end": 3,
            "value": "electricity",
            "confidence_entity": 1.0,
            "extractor": "PatternEntityExtractor",
        }
    ]


def test_id_number_with_a_valid_check_character(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor
) -> None:
    message, entities = parse(normalizer, extractor, f"身份证号码是{VALID_ID}")
    assert found(entities, message.get(TEXT)) == [("id_number", VALID_ID, VALID_ID)]


def test_spoken_id_number(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor
) -> None:
    spoken = " ".join(
        "".join("幺" if c == "1" else "零一二三四五六七八九"[int(c)] for c in VALID_ID[i : i + 6])
        for i in range(0, 18, 6)
    )
    message, entities = parse(normalizer, extractor, f"身份证 {spoken}")
    assert found(entities, message.get(TEXT))[-1] == ("id_number", VALID_ID, VALID_ID)


def test_lower_case_x_is_upper_cased(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor
) -> None:
    valid_x = next(
        make_id_number("320508", date(1950, 1, 1), n)
        for n in range(1000)
        if make_id_number("320508", date(1950, 1, 1), n).endswith("X")
    )
    _, entities = parse(normalizer, extractor, f"号码 {valid_x.lower()}")
    assert [e["value"] for e in entities] == [valid_x]


@pytest.mark.parametrize(
    "wrong",
    [
        VALID_ID[:17] + str((int(VALID_ID[17]) + 1) % 10 if VALID_ID[17] != "X" else 0),
        "32050819551301" + "1234",  # month 13
        "02050819550101123" + "4",  # starts with 0
        VALID_ID[:16],
    ],
)
def test_wrong_id_numbers_are_rejected(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, wrong: str
) -> None:
    _, entities = parse(normalizer, extractor, f"身份证号码是{wrong}")
    assert [e for e in entities if e["entity"] == "id_number"] == []


@pytest.mark.parametrize("wrong", ["12912345678", "1391234567", "139123456789"])
def test_phone_number_shape(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, wrong: str
) -> None:
    _, entities = parse(normalizer, extractor, f"电话{wrong}")
    assert [e for e in entities if e["entity"] == "phone_number"] == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("我要交电费 户号 幺五零零 零幺二 三四五", "account_number"),
        ("电表号是1500012345", "account_number"),
        ("3100452718 这个是水表上的", "account_number"),
        ("燃气户号6200012345", "account_number"),
        ("给孙子交学费 学号三二零五零幺二四幺拐", "student_id"),
        ("学籍号 3205012417", "student_id"),
        ("囡囡学号是 三二零五 零幺二四 幺七", "student_id"),
    ],
)
def test_account_or_student_by_context(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, text: str, label: str
) -> None:
    _, entities = parse(normalizer, extractor, text)
    ten_digits = [e for e in entities if e["entity"] in ("account_number", "student_id")]
    assert len(ten_digits) == 1
    assert ten_digits[0]["entity"] == label
    assert len(ten_digits[0]["value"]) == 10


def test_both_numbers_in_one_message(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor
) -> None:
    _, entities = parse(normalizer, extractor, "学号3205012417 电费户号1500012345")
    labels = [(e["entity"], e["value"]) for e in entities if e["entity"] != "utility_type"]
    assert labels == [("student_id", "3205012417"), ("account_number", "1500012345")]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # numbers starting like the sandbox's utility accounts (31 water, 15 electricity,
        # 62 gas) that are student numbers, and student-looking ones that are accounts
        ("学号1500012345", "student_id"),
        ("孙子的号码是 6200981137", "student_id"),
        ("外孙女学堂里的号 3100452718", "student_id"),
        ("幼儿园发的号 幺五零零 零幺二 三四五", "student_id"),
        ("用电的号码是3205012417", "account_number"),
        ("表号 三二零五零幺二四幺拐", "account_number"),
        ("客户编号3205012417", "account_number"),
        ("3205012417 是水表上的", "account_number"),
    ],
)
def test_the_words_decide_not_the_digits(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, text: str, label: str
) -> None:
    _, entities = parse(normalizer, extractor, text)
    ten_digits = [e for e in entities if e["entity"] in ("account_number", "student_id")]
    assert [e["entity"] for e in ten_digits] == [label]


@pytest.mark.parametrize(
    "text",
    [
        "3205012417",
        "三二零五零幺二四幺拐",
        "是 3205012417吧",
        "6200981137",
        "是 3100452718",
        "幺五零零 零幺二 三四五",
    ],
)
def test_a_bare_ten_digit_answer_is_left_to_the_dialogue(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, text: str
) -> None:
    _, entities = parse(normalizer, extractor, text)
    assert entities == []


@pytest.mark.parametrize(
    "text", ["我要查一下养老金", "打12345投诉", "说一遍", "两千五百元", "谢谢"]
)
def test_nothing_where_there_is_nothing(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor, text: str
) -> None:
    _, entities = parse(normalizer, extractor, text)
    assert entities == []


def test_no_duplicates_with_the_normaliser_in_front(
    normalizer: SpokenNumberNormalizer, extractor: PatternEntityExtractor
) -> None:
    message = Message(data={TEXT: "电话 幺三九 幺二三四 五六七八 电费户号 幺五零零零幺二三四五"})
    # the normaliser runs once even if the message passes twice
    normalizer.process([message])
    normalizer.process([message])
    extractor.process([message])
    entities = message.get(ENTITIES)
    spans = [(e["start"], e["end"]) for e in entities]
    assert len(spans) == len(set(spans)) == 3
    text = message.get(TEXT)
    assert text == "电话13912345678电费户号1500012345"
    assert all(text[e["start"] : e["end"]] for e in entities)


def test_training_data_keeps_only_the_entities_for_diet(extractor: PatternEntityExtractor) -> None:
    example = Message(
        data={
            TEXT: "给孙子交电费",
            "intent": "pay_utility_bill",
            ENTITIES: [
                {"entity": "relation", "start": 1, "end": 3, "value": "孙子"},
                {"entity": "utility_type", "start": 4, "end": 6, "value": "电费"},
            ],
        }
    )
    cleaned = extractor.process_training_data(TrainingData(training_examples=[example]))
    assert [e["entity"] for e in cleaned.training_examples[0].get(ENTITIES)] == ["relation"]
    assert cleaned.entities == {"relation"}
    # the original example is left as it was
    assert len(example.get(ENTITIES)) == 2
    assert set(OWNED_ENTITIES).isdisjoint({"person_name", "relation", "amount", "date", "time"})
