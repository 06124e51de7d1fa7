"""The one helper that masks personal data wherever it is logged or shown (DESIGN.md §7).

ID numbers keep the region code and the last four characters (``320205********1234``), phone
numbers keep three and four digits (``139****5678``), other long digit runs (bank cards,
account numbers) keep the last four. Digits typed full-width or said in words (幺三九…) are
recognised too, so a number read out by the recogniser is masked like a typed one. The same
rules as the platform's (shared/PLATFORM_API.md), so staff see one format everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from zhtext.numbers import normalize_spoken_digits

# A run of digit-like characters (ASCII, full-width, spoken Chinese digits), with the spaces and
# dashes people put between groups. Seven or more digits make it personal data.
_DIGITISH = "0-9０-９零〇○洞一幺么壹二两贰三叁四肆五伍六陆七拐柒八捌九勾玖"
_RUN = re.compile(rf"[{_DIGITISH}](?:[{_DIGITISH}\s\-－]*[{_DIGITISH}Xx叉])?")
_MIN_DIGITS = 7
_NAME_KEYS = ("person_name", "name", "citizen_name")


def _mask_digits(digits: str) -> str:
    """Mask one normalised digit string by its shape."""
    if len(digits) == 18 or (len(digits) == 15 and digits.isdigit()):
        return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_run(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"[\s\-－]", "", normalize_spoken_digits(raw))
    if sum(ch.isdigit() for ch in digits) < _MIN_DIGITS or not re.fullmatch(r"[0-9X]+", digits):
        return raw
    return _mask_digits(digits)


def mask_text(text: str) -> str:
    """``text`` with every ID, phone, card and account number in it masked."""
    return _RUN.sub(_mask_run, text)


def mask_name(name: str) -> str:
    """A person's name with all but the first character hidden: 王小明 → 王**."""
    name = name.strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else name


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
