"""Fixtures for the NLU components: one extractor (its spaCy pipeline takes a second to build)."""

from __future__ import annotations

from typing import Any

import pytest

from nlu.entity_ruler import PatternEntityExtractor
from nlu.normalizer import SpokenNumberNormalizer


@pytest.fixture(scope="session")
def extractor() -> PatternEntityExtractor:
    return PatternEntityExtractor(PatternEntityExtractor.get_default_config())


@pytest.fixture(scope="session")
def normalizer() -> SpokenNumberNormalizer:
    return SpokenNumberNormalizer()


Entities = list[dict[str, Any]]
