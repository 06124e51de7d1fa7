"""Synthetic platform data generated from a fixed seed (no wall clock, no global random).

Layout, so that later domains slot in without changing what exists:

- :mod:`.records` — the plain records a dataset holds (what gets written to the database);
- :mod:`.geography` — the city, its districts and schools;
- :mod:`.names` — Chinese name pools;
- :mod:`.education` — students and their education bills;
- :mod:`.dataset` — :func:`generate_dataset`, which runs every domain generator on its own
  random stream derived from ``(seed, domain)``.

Because each domain has its own stream, adding a domain (citizens aged 55–99 with GB 11643
ID numbers, family links to these students, pensions, medical accounts, utilities …) leaves
the data of the existing domains — and the ids tests name — unchanged.
"""

from .dataset import DEFAULT_SEED, generate_dataset
from .records import Dataset

__all__ = ["DEFAULT_SEED", "Dataset", "generate_dataset"]
