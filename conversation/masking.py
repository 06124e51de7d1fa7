"""Masking of personal data wherever the gateway logs or shows it (DESIGN.md §7): the rules
are :mod:`zhtext.masking` (one per kind, shared with the action server's and the platform
client's logs); here they are applied to the values a conversation collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhtext.masking import mask_name, mask_text

__all__ = ["mask_mapping", "mask_name", "mask_text", "mask_value"]

_NAME_KEYS = ("person_name", "name", "citizen_name")


def mask_value(key: str, value: Any) -> Any:
    """One collected value masked by what it is (names by key, numbers by shape)."""
    if isinstance(value, str):
        return mask_name(value) if key in _NAME_KEYS else mask_text(value)
    if isinstance(value, Mapping):
        return mask_mapping(value)
    if isinstance(value, list):
        return [mask_value(key, item) for item in value]
    return value


def mask_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` (e.g. the slots collected so far) with personal values masked."""
    return {str(key): mask_value(str(key), value) for key, value in data.items()}
