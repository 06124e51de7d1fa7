"""Assembles a dataset: every domain generator draws from its own seeded random stream."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from .agency import generate_agency
from .applications import generate_applications
from .benefits import generate_medical, generate_pension
from .certificates import generate_certificates
from .citizens import generate_citizens
from .education import generate_education
from .family import generate_family
from .records import Dataset
from .utilities import generate_utilities

DEFAULT_SEED = 20261127
"""The seed of the shared demo and test data."""

DomainGenerator = Callable[[random.Random, Dataset], None]

DOMAINS: tuple[tuple[str, DomainGenerator], ...] = (
    ("education", generate_education),
    ("citizens", generate_citizens),
    ("family", generate_family),
    ("pension", generate_pension),
    ("medical", generate_medical),
    ("utilities", generate_utilities),
    ("certificates", generate_certificates),
    ("applications", generate_applications),
    ("agency", generate_agency),
)
"""Domain generators in the order they run; a later domain may read earlier domains' data.

Append new domains (citizens, family links, pension …) at the end: each has its own stream,
so the data of the existing domains stays the same for a given seed.
"""


def domain_rng(seed: int, domain: str) -> random.Random:
    """The random stream of one domain: deterministic for ``(seed, domain)``.

    A string seed is hashed with SHA-512 by :class:`random.Random`, independently of
    ``PYTHONHASHSEED``.
    """
    return random.Random(f"{seed}/{domain}")


def generate_dataset(seed: int, today: date) -> Dataset:
    """All synthetic data of ``seed``, laid out around ``today``; the same seed and day always
    give an equal dataset."""
    dataset = Dataset(seed=seed, today=today)
    for domain, generate in DOMAINS:
        generate(domain_rng(seed, domain), dataset)
    return dataset
