"""The custom components inside Rasa: a tiny pipeline trained and used through Rasa's Python API."""

from __future__ import annotations

from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu

ROOT = Path(__file__).resolve().parents[2]

CONFIG = f"""
recipe: default.v1
language: zh
assistant_id: banshi-test
pipeline:
  - name: nlu.normalizer.SpokenNumberNormalizer
  - name: JiebaTokenizer
    dictionary_path: {ROOT / "nlu_data" / "jieba"}
  - name: nlu.entity_ruler.PatternEntityExtractor
    patterns_path: {ROOT / "nlu_data" / "patterns"}
    dictionary_path: {ROOT / "nlu_data" / "jieba"}
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 2
  - name: DIETClassifier
    epochs: 10
    entity_recognition: true
    constrain_similarities: true
    random_seed: 1127
  - name: EntitySynonymMapper
policies: []
"""

NLU = """
version: "3.1"
nlu:
  - intent: pay_utility_bill
    examples: |
      - 帮[儿子](relation)交[电费](utility_type)
      - 给[女儿](relation)交[水费](utility_type)
      - 交 [燃气费](utility_type)
      - 我 要 交 [电费](utility_type) 户号 幺五零零 零幺二 三四五
      - 帮[老伴](relation)交一下[水费](utility_type)
      - [煤气费](utility_type)怎么交
  - intent: inform
    examples: |
      - 我的电话是 [幺三九 幺二三四 五六七八](phone_number)
      - 电话 [13912345678](phone_number)
      - 手机号 [幺五零 六两幺三 拐拐九洞](phone_number)
      - 是我[儿子](relation)
      - 是我[女儿](relation)
      - 我[老伴](relation)的
"""


async def test_components_work_inside_rasa(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG, encoding="utf-8")
    data = tmp_path / "nlu.yml"
    data.write_text(NLU, encoding="utf-8")
    model = train_nlu(str(config), str(data), str(tmp_path / "models"), fixed_model_name="tiny")
    assert model is not None

    agent = Agent.load(model)
    for message, intent in (
        ("帮女儿交一下电费", "pay_utility_bill"),
        ("给老伴交燃气费", "pay_utility_bill"),
        ("我的手机号是 幺三九 幺二三四 五六七八", "inform"),
        ("是我老伴", "inform"),
    ):
        assert (await agent.parse_message(message))["intent"]["name"] == intent, message
    parsed = await agent.parse_message("帮 儿子 交 电费 电话 幺三九 幺二三四 五六七八")
    text = parsed["text"]
    entities = {
        (e["entity"], text[e["start"] : e["end"]], e["value"], e["extractor"])
        for e in parsed["entities"]
    }
    assert ("utility_type", "电费", "electricity", "PatternEntityExtractor") in entities
    assert ("phone_number", "13912345678", "13912345678", "PatternEntityExtractor") in entities
    # one extractor per entity: DIET learnt only the entities the patterns do not cover
    owned = {"utility_type", "phone_number", "account_number"}
    assert not [
        e for e in parsed["entities"] if e["extractor"] == "DIETClassifier" and e["entity"] in owned
    ]
