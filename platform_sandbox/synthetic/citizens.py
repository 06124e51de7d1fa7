"""Citizens aged 55–99 with valid ID numbers, unique phones and home addresses.

The first citizens follow :data:`~.demo.DEMO_PROFILES`; the others are drawn at random,
older ages a little less often.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from zhtext.idcard import make_id_number

from . import geography, names
from .demo import DEMO_PROFILES, DemoProfile, citizen_id
from .records import Citizen, Dataset

CENSUS_DATE = date(2026, 12, 1)
"""The day the population's ages are drawn for. Birth dates, and so ID numbers, are fixed
facts of a person: they do not move with the dataset's ``today`` (demo ID numbers stay
valid on every day, and people age). Everything else that is dated is laid out relative to
``Dataset.today``."""

CITIZEN_COUNT = 240
MIN_AGE, MAX_AGE = 55, 99
PENSION_AGE = 60
"""From this age (on the census date) nearly everybody draws a pension."""

PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "158", "159", "180", "182", "186", "187", "188", "189",
)  # fmt: skip


def generate_citizens(rng: random.Random, dataset: Dataset) -> None:
    """Add :data:`CITIZEN_COUNT` citizens to ``dataset``."""
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    for index in range(CITIZEN_COUNT):
        profile = DEMO_PROFILES[index] if index < len(DEMO_PROFILES) else None
        dataset.citizens.append(_citizen(rng, index, profile, used_ids, used_phones))


def unique_phone(rng: random.Random, used: set[str]) -> str:
    """A mobile number not in ``used`` (which it is added to)."""
    while True:
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day``."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def _citizen(
    rng: random.Random,
    index: int,
    profile: DemoProfile | None,
    used_ids: set[str],
    used_phones: set[str],
) -> Citizen:
    if profile is not None:
        age, gender, district = profile.age, profile.gender, profile.district
    else:
        age = rng.choices(range(MIN_AGE, MAX_AGE + 1), weights=_AGE_WEIGHTS)[0]
        gender = rng.choice("MF")
        district = rng.choice(geography.DISTRICTS)
    # A birthday 1–364 days before the census date's "age" anniversary keeps the age exact.
    birth_date = CENSUS_DATE.replace(year=CENSUS_DATE.year - age - 1) + timedelta(
        days=rng.randint(1, 364)
    )
    if age_on(birth_date, CENSUS_DATE) != age:
        birth_date -= timedelta(days=1)
    while True:
        sequence = rng.randrange(0, 1000)
        if (sequence % 2 == 1) != (gender == "M"):
            sequence = (sequence + 1) % 1000
        id_number = make_id_number(geography.AREA_CODES[district], birth_date, sequence)
        if id_number not in used_ids:
            used_ids.add(id_number)
            break
    street = rng.choice(geography.STREETS[district])
    pensioner = profile.pensioner if profile else (age >= PENSION_AGE and rng.random() < 0.95)
    return Citizen(
        citizen_id=citizen_id(index),
        name=names.elder_name(rng, gender, profile.surname if profile else None),
        gender=gender,
        birth_date=birth_date,
        id_number=id_number,
        phone=unique_phone(rng, used_phones),
        district=district,
        address=geography.address(
            district, street, rng.randint(1, 399), rng.randint(1, 30), rng.choice(_ROOMS)
        ),
        bank_account="622202" + f"{rng.randrange(10**13):013d}",
        pensioner=pensioner,
    )


_AGE_WEIGHTS = [12 if age < 80 else 7 if age < 90 else 3 for age in range(MIN_AGE, MAX_AGE + 1)]
_ROOMS = (101, 102, 201, 202, 301, 302, 401, 402, 501, 502, 601, 602)
