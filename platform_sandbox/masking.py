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
