"""E-certificates (电子证照) of the citizens: ID card, household register, social security
card, senior card, retirement certificate, marriage certificate, driving licence."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .calendar import add_years
from .citizens import CENSUS_DATE, age_on
from .demo import profile_of
from .records import Certificate, Citizen, Dataset

CERTIFICATE_NAMES = {
    "id_card": "居民身份证",
    "hukou": "居民户口簿",
    "social_security_card": "社会保障卡",
    "senior_card": "敬老卡",
    "retirement": "退休证",
    "marriage": "结婚证",
    "driving_license": "机动车驾驶证",
}
"""Certificate types of the contract and their Chinese names."""

SENIOR_CARD_AGE = 60
RETIREMENT_AGE = {"M": 60, "F": 55}


def generate_certificates(rng: random.Random, dataset: Dataset) -> None:
    """The certificates every citizen holds; some driving licences have expired."""
    for citizen in dataset.citizens:
        for certificate in _certificates_of(rng, citizen, dataset.today):
            dataset.certificates.append(certificate)


def _certificates_of(rng: random.Random, citizen: Citizen, today: date) -> list[Certificate]:
    """What ``citizen`` holds: who holds what is fixed (ages on the census date); dates and
    whether a certificate has expired are reckoned on ``today``."""
    profile = profile_of(citizen.citizen_id)
    age = age_on(citizen.birth_date, CENSUS_DATE)

    def make(kind: str, number: str, issued: date, expires: date | None) -> Certificate:
        return _make(citizen, kind, number, issued, expires, today)

    out = [
        make("id_card", citizen.id_number, _issued(rng, 2008, 2020), None),
        make("hukou", f"{rng.randrange(10**9):09d}", _issued(rng, 1990, 2015), None),
        make("social_security_card", citizen.id_number, _issued(rng, 2016, 2024), None),
    ]
    senior = age >= SENIOR_CARD_AGE and rng.random() < 0.7
    if profile is not None:
        senior = profile.senior_card
    if senior:
        issued = _issued_before(rng, date(2018, 1, 1), today - timedelta(days=30))
        out.append(make("senior_card", f"JLK{rng.randrange(10**9):09d}", issued, None))
    if citizen.pensioner:
        out.append(
            make("retirement", f"TX{rng.randrange(10**8):08d}", _retired_on(citizen, today), None)
        )
    if rng.random() < 0.8:
        out.append(
            make("marriage", f"J{rng.randrange(10**10):010d}", _issued(rng, 1960, 1995), None)
        )
    expired_licence = profile is not None and profile.expired_driving_license
    if expired_licence or (profile is None and age < 75 and rng.random() < 0.3):
        issued = _issued(rng, 2012, 2020)
        expires = add_years(issued, 6 if expired_licence else 10)
        if expired_licence:
            expires = min(expires, today - timedelta(days=40))
        out.append(make("driving_license", citizen.id_number, issued, expires))
    return out


def _make(
    citizen: Citizen, kind: str, number: str, issued: date, expires: date | None, today: date
) -> Certificate:
    status = "expired" if expires is not None and expires < today else "valid"
    return Certificate(
        citizen_id=citizen.citizen_id,
        type=kind,
        name=CERTIFICATE_NAMES[kind],
        number=number,
        status=status,
        issued_on=issued,
        expires_on=expires,
    )


def _retired_on(citizen: Citizen, today: date) -> date:
    """Retirement at 60 (men) or 55 (women), as under the rules before 2025."""
    retired = add_years(citizen.birth_date, RETIREMENT_AGE[citizen.gender])
    return min(retired, today - timedelta(days=1))


def _issued(rng: random.Random, first_year: int, last_year: int) -> date:
    """A day from 1 January of ``first_year`` to 31 October of ``last_year`` (years long past)."""
    return _issued_before(rng, date(first_year, 1, 1), date(last_year, 11, 1))


def _issued_before(rng: random.Random, start: date, end: date) -> date:
    """A day from ``start`` up to, not including, ``end``."""
    return start + timedelta(days=rng.randrange(max(1, (end - start).days)))
