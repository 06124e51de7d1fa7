"""``PatternEntityExtractor``: list and digit-string entities from a spaCy EntityRuler.

The spaCy pipeline is a blank Chinese one (``spacy.blank("zh")`` with the jieba segmenter, no
model to download) holding one ``entity_ruler`` loaded from our pattern files
(``nlu_data/patterns/*.jsonl``, made by :mod:`nlu.patterns`). jieba is given the same user
dictionaries as Rasa's ``JiebaTokenizer`` (every file in ``nlu_data/jieba/``), so both see the
same words.

On top of the ruler:

- an ``id_number`` must have a real birth date and the right check character (GB 11643);
- a 10-digit number is an ``account_number`` or a ``student_id`` depending on the words
  around it (户号, 电表, 水费 … or 学号, 学校, 孩子 …; the nearest one before the number wins,
  else the nearest one after it). Its digits say nothing: a student number and a utility
  account number can start alike. A bare 10-digit answer with no such word is left out, and
  the dialogue, which knows which number it asked for, reads it from the text.

Entities get character offsets into the message text, ``value`` = the pattern ``id`` (the
canonical platform value) or else the matched text, ``extractor`` = ``PatternEntityExtractor``
and confidence 1.0.

At training time the component removes the annotations of the entities it owns from the
training examples, so that DIET learns only the other entities (one extractor per entity).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jieba
import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.tokens import Doc

from nlu.training_data import with_examples
from zhtext.idcard import is_valid_id_number

ROOT = Path(__file__).resolve().parents[1]

OWNED_ENTITIES = (
    "district",
    "school",
    "agency_point",
    "certificate_type",
    "utility_type",
    "id_number",
    "phone_number",
    "student_id",
    "account_number",
    "application_number",
)

ACCOUNT_WORDS = (
    "户号",
    "用户号",
    "用户编号",
    "客户号",
    "客户编号",
    "缴费号",
    "表号",
    "电表",
    "水表",
    "气表",
    "燃气",
    "煤气",
    "天然气",
    "电费",
    "水费",
    "气费",
    "自来水",
    "供电",
    "供水",
    "供气",
    "用电",
    "用水",
    "用气",
    "电力",
    "电网",
    "水务",
)
"""Words that make a 10-digit number a utility account number."""

STUDENT_WORDS = (
    "学号",
    "学籍",
    "学生",
    "学费",
    "学校",
    "学堂",
    "幼儿园",
    "小学",
    "中学",
    "初中",
    "高中",
    "读书",
    "上学",
    "年级",
    "班主任",
    "老师",
    "孩子",
    "小孩",
    "孙子",
    "孙女",
    "外孙",
    "囡囡",
    "托管费",
    "保育费",
    "餐费",
)
"""Words that make a 10-digit number a student number (the school, the child, its fees)."""

_TEN_DIGITS = frozenset({"student_id", "account_number"})

_loaded_dictionaries: set[str] = set()


def _resolve(path: str) -> Path:
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return ROOT / candidate


def load_jieba_dictionaries(directory: Path) -> None:
    """Give jieba every user dictionary in ``directory`` (once per file)."""
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        key = str(path.resolve())
        if path.is_file() and key not in _loaded_dictionaries:
            jieba.load_userdict(str(path))
            _loaded_dictionaries.add(key)


def read_patterns(directory: Path) -> list[dict[str, Any]]:
    """The EntityRuler patterns of every ``*.jsonl`` file in ``directory``."""
    patterns: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                patterns.append(json.loads(line))
    return patterns


@Language.component("banshi_merge_alnum_runs")
def merge_alnum_runs(doc: Doc) -> Doc:
    """Merge neighbouring Latin-letter and digit tokens with no space between them.

    jieba cuts a digit string where a dictionary word sits inside it (``139`` ``12345``
    ``678``, because of the 12345 hotline); the shapes are matched on the whole string. The
    merged tokens are unions of jieba tokens, so entity spans still cover whole tokens.
    """
    runs: list[tuple[int, int]] = []
    start = None
    for token in doc:
        alnum = token.text.isascii() and token.text.isalnum()
        if alnum and start is not None and not doc[token.i - 1].whitespace_:
            continue
        if start is not None and token.i - start > 1:
            runs.append((start, token.i))
        start = token.i if alnum else None
    if start is not None and len(doc) - start > 1:
        runs.append((start, len(doc)))
    with doc.retokenize() as retokenizer:
        for first, end in runs:
            retokenizer.merge(doc[first:end])
    return doc


def build_nlp(patterns_dir: Path, jieba_dir: Path) -> Language:
    """A blank Chinese spaCy pipeline (jieba segmenter) with our EntityRuler."""
    load_jieba_dictionaries(jieba_dir)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("banshi_merge_alnum_runs")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(read_patterns(patterns_dir))  # type: ignore[attr-defined]
    return nlp


def _nearest_context(text: str, start: int, end: int) -> str | None:
    """``account_number``, ``student_id`` or None, from the words nearest to text[start:end]."""
    before: list[tuple[int, str]] = []
    after: list[tuple[int, str]] = []
    for label, words in (("account_number", ACCOUNT_WORDS), ("student_id", STUDENT_WORDS)):
        for word in words:
            position = text.rfind(word, 0, start)
            if position >= 0:
                before.append((start - (position + len(word)), label))
            position = text.find(word, end)
            if position >= 0:
                after.append((position - end, label))
    if before:
        return min(before)[1]
    if after:
        return min(after)[1]
    return None


def extract(nlp: Language, text: str) -> list[dict[str, Any]]:
    """The entities of ``text`` (without the extractor name)."""
    doc = nlp(text)
    entities: list[dict[str, Any]] = []
    for span in doc.ents:
        label = span.label_
        value: str = span.ent_id_ or span.text
        if label == "id_number":
            value = value.upper()
            if not is_valid_id_number(value):
                continue
        elif label == "application_number":
            value = value.upper()
        elif label in _TEN_DIGITS:
            context = _nearest_context(text, span.start_char, span.end_char)
            if context is None:
                continue
            label = context
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: label,
                ENTITY_ATTRIBUTE_START: span.start_char,
                ENTITY_ATTRIBUTE_END: span.end_char,
                ENTITY_ATTRIBUTE_VALUE: value,
                ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            }
        )
    return entities


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
        # also a message featurizer, so that it sees (and cleans) the training data
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
)
class PatternEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Entities from our spaCy EntityRuler patterns."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Where the pattern files and jieba dictionaries are, and which entities it owns."""
        return {
            "patterns_path": "nlu_data/patterns",
            "dictionary_path": "nlu_data/jieba",
            "entities": list(OWNED_ENTITIES),
        }

    @staticmethod
    def required_packages() -> list[str]:
        """spaCy and jieba."""
        return ["spacy", "jieba"]

    def __init__(self, config: dict[str, Any]) -> None:
        """Build the spaCy pipeline from the pattern files."""
        self._config = config
        self._owned = frozenset(config["entities"])
        self._nlp = build_nlp(
            _resolve(config["patterns_path"]), _resolve(config["dictionary_path"])
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PatternEntityExtractor:
        """A new extractor."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """The training data without the annotations of the entities this component owns."""
        examples = []
        for example in training_data.training_examples:
            entities = example.get(ENTITIES)
            if entities and any(e.get(ENTITY_ATTRIBUTE_TYPE) in self._owned for e in entities):
                kept = [e for e in entities if e.get(ENTITY_ATTRIBUTE_TYPE) not in self._owned]
                example = Message(
                    data={**example.data, ENTITIES: kept},
                    output_properties=set(example.output_properties),
                    time=example.time,
                    features=list(example.features),
                )
            examples.append(example)
        return with_examples(training_data, examples)

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the entities found in each message."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [e for e in extract(self._nlp, text) if e["entity"] in self._owned]
            if not found:
                continue
            self.add_extractor_name(found)
            message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
