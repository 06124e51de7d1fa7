"""The demo citizens: the first citizens of every seed are made to fit these profiles.

Tests and demos name them through the constants in :mod:`platform_sandbox.seed`; each domain
generator looks up a citizen's profile here so that, for example, the citizen meant to be
eligible for the elderly allowance is 86, certified as due, and has no open application.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoProfile:
    """What a demo citizen is for, and the facts the generators must give them."""

    key: str
    """Name of the constant prefix in ``seed.py`` (``DEMO_ALLOWANCE_ELIGIBLE_…``)."""
    age: int
    """Age in whole years on the data's reference date."""
    gender: str
    district: str
    pensioner: bool
    certification: str | None
    """``due`` | ``done`` | ``overdue``; None for a citizen who draws no pension."""
    surname: str | None = None
    medical_status: str = "active"
    all_utilities_unpaid: bool = False
    senior_card: bool = False
    expired_driving_license: bool = False
    allowance_under_review: bool = False


DEMO_PROFILES: tuple[DemoProfile, ...] = (
    DemoProfile("allowance_eligible", 86, "F", "姑苏区", True, "due", senior_card=True),
    DemoProfile("under_80", 72, "M", "吴中区", True, "done", expired_driving_license=True),
    DemoProfile("certification_overdue", 78, "F", "相城区", True, "overdue", senior_card=True),
    DemoProfile("utilities", 68, "M", "虎丘区", True, "due", all_utilities_unpaid=True),
    DemoProfile("grandparent", 70, "M", "相城区", True, "done", surname="侯", senior_card=True),
    DemoProfile("under_60", 57, "M", "吴江区", False, None),
    DemoProfile(
        "allowance_applied", 91, "M", "工业园区", True, "done", allowance_under_review=True
    ),
    DemoProfile("medical_suspended", 63, "F", "姑苏区", True, "due", medical_status="suspended"),
)
"""Profiles of citizens ``CZ000001`` … in order."""


def citizen_id(index: int) -> str:
    """The id of the citizen generated at 0-based ``index`` (``CZ000001`` for 0)."""
    return f"CZ{index + 1:06d}"


def profile_of(citizen: str) -> DemoProfile | None:
    """The demo profile of ``citizen`` (an id), or None for an ordinary citizen."""
    number = int(citizen[2:]) - 1
    return DEMO_PROFILES[number] if 0 <= number < len(DEMO_PROFILES) else None
