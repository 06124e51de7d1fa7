"""The entity annotations of the training data can be learned as written.

DIET tags whole tokens: an annotation that starts or ends inside a jieba token (of the
normalised text) cannot be learned and is scored as a miss. The shapes in
``nlu_data/regexes.yml`` are DIET's hints for dates, times and amounts: every annotation of
those entities should be one the hints cover.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jieba
import pytest
import yaml

from bench.nlu_eval import gold_spans, load_nlu_data
from nlu.entity_ruler import OWNED_ENTITIES, load_jieba_dictionaries

ROOT = Path(__file__).resolve().parents[2]


@cache
def _examples() -> list[Any]:
    return list(load_nlu_data().intent_examples)


def _regexes() -> dict[str, list[str]]:
    document = yaml.safe_load((ROOT / "nlu_data" / "regexes.yml").read_text(encoding="utf-8"))
    return {
        item["regex"]: [line[2:] for line in item["examples"].splitlines() if line.strip()]
        for item in document["nlu"]
    }


def test_diet_annotations_fall_on_token_boundaries() -> None:
    load_jieba_dictionaries(ROOT / "nlu_data" / "jieba")
    misaligned = []
    for example in _examples():
        text, spans = gold_spans(example)
        learned = [span for span in spans if span[2] not in OWNED_ENTITIES]
        if not learned:
            continue
        bounds = {edge for _, start, end in jieba.tokenize(text) for edge in (start, end)}
        misaligned += [
            (text, text[start:end], label)
            for start, end, label in learned
            if start not in bounds or end not in bounds
        ]
    assert misaligned == []


@pytest.mark.parametrize("entity", ["date", "time", "amount"])
def test_every_annotation_is_covered_by_its_shapes(entity: str) -> None:
    patterns = [re.compile(pattern) for pattern in _regexes()[entity]]
    uncovered, seen = [], 0
    for example in _examples():
        text, spans = gold_spans(example)
        for start, end, label in spans:
            if label != entity:
                continue
            seen += 1
            if not any(
                match.start() <= start and match.end() >= end
                for pattern in patterns
                for match in pattern.finditer(text)
            ):
                uncovered.append((text, text[start:end]))
    assert seen >= 20
    assert uncovered == []


def test_regexes_are_valid_and_not_empty_matches() -> None:
    for entity, patterns in _regexes().items():
        for pattern in patterns:
            assert re.compile(pattern).fullmatch("") is None, (entity, pattern)


def _plain(text: str) -> str:
    return "".join(text.split())


def test_the_held_out_set_is_not_in_the_training_data() -> None:
    from bench.nlu_eval import load_heldout

    heldout = load_heldout()
    intents = {example.get_full_intent() for example in _examples()}
    trained = {_plain(example.get("text")) for example in _examples()}
    assert len(heldout) >= 100
    assert {intent for _, intent in heldout} == intents
    assert [text for text, _ in heldout if _plain(text) in trained] == []
