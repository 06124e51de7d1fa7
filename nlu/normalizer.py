"""``SpokenNumberNormalizer``: the first component of the NLU pipeline.

It rewrites the message text with :func:`zhtext.numbers.normalize_utterance` before tokenising
(spaces from the speech recognizer removed, digits said one by one turned into digit strings,
quantities into numbers), both for the training examples and for incoming messages. The text as
it was is kept in the message data under ``original_text`` (also in the parse result, so the
dialogue sees it in ``latest_message``). Entity offsets refer to the normalised text, which is
the ``text`` of the parse result.

For training examples the entity annotations are moved with the offset map; an annotation whose
value was its surface text gets the new surface text as value (``[幺三九…](phone_number)`` →
``13912345678``), an explicit value (a synonym) is kept.
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.training_data import with_examples
from zhtext.numbers import normalize_utterance

ORIGINAL_TEXT = "original_text"
"""Message data key of the text before normalisation."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class SpokenNumberNormalizer(GraphComponent):
    """Normalises spoken numbers and recognizer spaces in the message text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpokenNumberNormalizer:
        """A new normaliser."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise the training examples, moving their entity annotations."""
        examples = [normalize_message(example) for example in training_data.training_examples]
        return with_examples(training_data, examples)

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise incoming messages in place."""
        for message in messages:
            text = message.get(TEXT)
            if not text or message.get(ORIGINAL_TEXT) is not None:
                continue
            result = normalize_utterance(text)
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
            message.set(TEXT, result.text)
        return messages


def normalize_message(message: Message) -> Message:
    """A copy of a training example with its text normalised and its entities moved."""
    text = message.get(TEXT)
    if not text or message.get(ORIGINAL_TEXT) is not None:
        return message
    result = normalize_utterance(text)
    data = dict(message.data)
    data[TEXT] = result.text
    data[ORIGINAL_TEXT] = text
    entities = []
    for entity in message.get(ENTITIES) or []:
        moved = copy.deepcopy(entity)
        if ENTITY_ATTRIBUTE_START in entity and ENTITY_ATTRIBUTE_END in entity:
            start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
            new_start, new_end = result.to_normalized(start, end)
            moved[ENTITY_ATTRIBUTE_START], moved[ENTITY_ATTRIBUTE_END] = new_start, new_end
            if entity.get(ENTITY_ATTRIBUTE_VALUE) in (None, text[start:end]):
                moved[ENTITY_ATTRIBUTE_VALUE] = result.text[new_start:new_end]
        entities.append(moved)
    if ENTITIES in data:
        data[ENTITIES] = entities
    return Message(
        data=data,
        output_properties=set(message.output_properties),
        time=message.time,
        features=list(message.features),
    )
