"""Training data rebuilt around changed examples, keeping everything else of the original."""

from __future__ import annotations

from collections.abc import Iterable

from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def with_examples(training_data: TrainingData, examples: Iterable[Message]) -> TrainingData:
    """``training_data`` with ``examples`` in place of its examples (synonyms, regexes,
    lookup tables and responses kept)."""
    return TrainingData(
        training_examples=list(examples),
        entity_synonyms=training_data.entity_synonyms,
        regex_features=training_data.regex_features,
        lookup_tables=training_data.lookup_tables,
        responses=training_data.responses,
    )
