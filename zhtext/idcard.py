"""Resident ID numbers (居民身份证号码) after GB 11643-1999: 17 digits and a check character.

Layout: 6-digit area code, birth date ``YYYYMMDD``, 3-digit sequence (odd for men, even for
women), check character from ISO 7064 MOD 11-2 (``0``–``9`` or ``X``).
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_character(first17: str) -> str:
    """The check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number must be ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def make_id_number(area_code: str, birth_date: date, sequence: int) -> str:
    """An ID number for ``area_code`` (6 digits), ``birth_date`` and ``sequence`` (0–999)."""
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def normalize_id_number(value: str) -> str:
    """Strip spaces and upper-case a final ``x``."""
    return value.replace(" ", "").strip().upper()


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` has the shape, a real birth date and the right check character."""
    if not _SHAPE.fullmatch(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return check_character(value[:17]) == value[17]


def gender_of(id_number: str) -> str:
    """``M`` when the sequence is odd, else ``F``."""
    return "M" if int(id_number[16]) % 2 else "F"
