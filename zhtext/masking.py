"""The masking rules for personal data, one per kind (DESIGN.md §7): wherever a number or a
name is logged or shown, it is masked by these.

ID numbers keep the region code and the last four characters (``320205********1234``), phone
numbers keep three and four digits (``139****5678``), other long digit runs (bank cards,
utility account numbers, student numbers) keep the last four (``******1068``). Digits typed
full-width or said in words (幺三九…) are recognised too, so a number read out by the
recogniser is masked like a typed one. The same rules as the platform's
(shared/PLATFORM_API.md), so staff and operators see one format everywhere.
"""

from __future__ import annotations

import re

from zhtext.numbers import normalize_spoken_digits

# A run of digit-like characters (ASCII, full-width, spoken Chinese digits), with the spaces and
# dashes people put between groups. Seven or more digits make it personal data.
_DIGITISH = "0-9０-９零〇○洞一幺么壹二两贰三叁四肆五伍六陆七拐柒八捌九勾玖"
_RUN = re.compile(rf"[{_DIGITISH}](?:[{_DIGITISH}\s\-－]*[{_DIGITISH}Xx叉])?")
MIN_DIGITS = 7
"""Digit runs this long or longer are personal numbers."""
_LOG_RUN = re.compile(rf"(?<![0-9A-Za-z_])[{_DIGITISH}]{{{MIN_DIGITS},}}[Xx叉]?(?![0-9A-Za-z_])")


def mask_digits(digits: str) -> str:
    """Mask one normalised digit string by its shape (ID, phone, or any other number)."""
    if len(digits) == 18 or (len(digits) == 15 and digits.isdigit()):
        return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_run(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"[\s\-－]", "", normalize_spoken_digits(raw))
    if sum(ch.isdigit() for ch in digits) < MIN_DIGITS or not re.fullmatch(r"[0-9X]+", digits):
        return raw
    return mask_digits(digits)


def mask_text(text: str) -> str:
    """``text`` (what people said or read) with every ID, phone, card and account number in
    it masked, however it was written or said."""
    return _RUN.sub(_mask_run, text)


def mask_log_text(text: str) -> str:
    """A log line's ``text`` with every ID, phone, account or student number in it masked
    (in a URL too: ``student_id=******1068``), by the same rules as :func:`mask_text`. A
    number must stand alone and unbroken here, so that the dates and times of a log line
    (``2026-12-05 09:30``) and the ids made of letters and digits stay readable."""
    return _LOG_RUN.sub(_mask_run, text)


def mask_name(name: str) -> str:
    """A person's name with all but the first character hidden: 王小明 → 王**."""
    name = name.strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else name
