"""nlu.normalizer.SpokenNumberNormalizer: the text and the entity annotations are rewritten."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.normalizer import ORIGINAL_TEXT, SpokenNumberNormalizer, normalize_message


def annotated(text: str, *spans: tuple[str, str, str | None]) -> Message:
    entities = []
    for surface, entity, value in spans:
        start = text.index(surface)
        entities.append(
            {
                "entity": entity,
                "start": start,
                "end": start + len(surface),
                "value": value or surface,
            }
        )
    return Message(data={TEXT: text, "intent": "inform", ENTITIES: entities})


def test_training_annotations_move_with_the_text() -> None:
    example = annotated(
        "我 的 电话 是 幺三九 幺二三四 五六七八 给 孙子 交 两千五百元",
        ("幺三九 幺二三四 五六七八", "phone_number", None),
        ("孙子", "relation", None),
        ("两千五百元", "amount", None),
    )
    result = normalize_message(example)
    text = result.get(TEXT)
    assert text == "我的电话是13912345678给孙子交2500元"
    assert result.get(ORIGINAL_TEXT) == example.get(TEXT)
    moved = [(text[e["start"] : e["end"]], e["entity"], e["value"]) for e in result.get(ENTITIES)]
    assert moved == [
        ("13912345678", "phone_number", "13912345678"),
        ("孙子", "relation", "孙子"),
        ("2500元", "amount", "2500元"),
    ]
    # the example itself is untouched
    assert example.get(ENTITIES)[0]["value"] == "幺三九 幺二三四 五六七八"


def test_an_explicit_value_is_kept() -> None:
    example = annotated("给 孙儿 交 学费", ("孙儿", "relation", "孙子"))
    result = normalize_message(example)
    entity = result.get(ENTITIES)[0]
    assert result.get(TEXT)[entity["start"] : entity["end"]] == "孙儿"
    assert entity["value"] == "孙子"


def test_process_training_data_and_process() -> None:
    normalizer = SpokenNumberNormalizer()
    data = TrainingData(
        training_examples=[
            annotated("学号 三二零五零幺二四幺拐", ("三二零五零幺二四幺拐", "student_id", None))
        ]
    )
    result = normalizer.process_training_data(data)
    example = result.training_examples[0]
    assert example.get(TEXT) == "学号3205012417"
    assert example.get(ENTITIES)[0]["value"] == "3205012417"

    message = Message(data={TEXT: "我 要 查 一下 养老金"})
    normalizer.process([message])
    assert message.get(TEXT) == "我要查一下养老金"
    assert message.get(ORIGINAL_TEXT) == "我 要 查 一下 养老金"


def test_messages_without_text_pass_through() -> None:
    message = Message(data={"intent": "greet"})
    assert normalize_message(message) is message
    assert SpokenNumberNormalizer().process([message]) == [message]
