"""Masking of personal data at the boundary where it is shown (one helper per kind of data)."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Mask a Chinese name: keep the first and last character (``王小明`` → ``王*明``).

    Two-character names keep only the surname (``王明`` → ``王*``); longer names mask every
    middle character (``欧阳小明`` → ``欧**明``).
    """
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """Keep the area code and the last four characters: ``320205********1234``."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first three and the last four digits: ``139****5678``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(number: str) -> str:
    """Keep the first four and the last four digits of a bank or utility account:
    ``6222***********1234``; numbers of eight digits or fewer keep only the last four."""
    if len(number) <= 8:
        return "*" * max(0, len(number) - 4) + number[-4:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
