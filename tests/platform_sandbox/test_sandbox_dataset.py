"""The synthetic citizens and everything attached to them, and the demo constants
(``synthetic/``, ``seed.py``); no process."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest

from platform_sandbox import seed
from platform_sandbox.synthetic import generate_dataset
from platform_sandbox.synthetic.citizens import CENSUS_DATE, age_on
from platform_sandbox.synthetic.demo import DEMO_PROFILES
from platform_sandbox.synthetic.geography import AREA_CODES, DISTRICTS
from tests import days

DATASET = generate_dataset(seed.DEFAULT_SEED, days.today())
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _gb11643_ok(number: str) -> bool:
    """An independent check of GB 11643 (not the sandbox's own helper)."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def test_at_least_200_citizens_aged_55_to_99() -> None:
    assert len(DATASET.citizens) >= 200
    ages = [age_on(c.birth_date, CENSUS_DATE) for c in DATASET.citizens]
    assert min(ages) >= 55 and max(ages) <= 99
    assert sum(age >= 80 for age in ages) >= 20


def test_id_numbers_are_valid_and_match_the_person() -> None:
    numbers = [c.id_number for c in DATASET.citizens]
    assert len(set(numbers)) == len(numbers)
    for citizen in DATASET.citizens:
        assert _gb11643_ok(citizen.id_number), citizen
        assert citizen.id_number[:6] == AREA_CODES[citizen.district]
        assert citizen.id_number[6:14] == f"{citizen.birth_date:%Y%m%d}"
        assert (int(citizen.id_number[16]) % 2 == 1) == (citizen.gender == "M")


def test_phones_are_unique_mobile_numbers_and_districts_of_one_city() -> None:
    phones = [c.phone for c in DATASET.citizens]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"1[3-9]\d{9}", phone) for phone in phones)
    assert {c.district for c in DATASET.citizens} == set(DISTRICTS)
    assert all(c.address.startswith("苏州市" + c.district) for c in DATASET.citizens)


def test_family_links() -> None:
    by_relation = Counter(link.relation for link in DATASET.family_links)
    assert set(by_relation) == {"spouse", "child", "grandchild"}
    grandchildren = {link.student_id for link in DATASET.family_links if link.student_id}
    assert grandchildren == {s.student_id for s in DATASET.students}
    ids = {c.citizen_id for c in DATASET.citizens}
    for link in DATASET.family_links:
        assert link.citizen_id in ids
        if link.relation == "spouse":
            assert link.relative_citizen_id in ids
            back = [
                x for x in DATASET.family_links
                if x.citizen_id == link.relative_citizen_id and x.relation == "spouse"
            ]  # fmt: skip
            assert [x.relative_citizen_id for x in back] == [link.citizen_id]
        if link.relation == "grandchild":
            grandparent = DATASET.citizen(link.citizen_id)
            assert age_on(grandparent.birth_date, CENSUS_DATE) >= 60


def test_every_kind_of_data_is_there() -> None:
    pensioners = {c.citizen_id for c in DATASET.citizens if c.pensioner}
    assert {p.citizen_id for p in DATASET.pension_certifications} == pensioners
    assert {p.status for p in DATASET.pension_certifications} == {"due", "done", "overdue"}
    assert len(DATASET.pension_payments) == 24 * len(pensioners)
    assert len(DATASET.medical_accounts) == len(DATASET.citizens)
    assert {a.status for a in DATASET.medical_accounts} == {"active", "suspended"}
    assert DATASET.medical_claims
    assert {a.type for a in DATASET.utility_accounts} == {"water", "electricity", "gas"}
    assert {b.status for b in DATASET.utility_bills} == {"paid", "unpaid"}
    assert {c.type for c in DATASET.certificates} == {
        "id_card", "hukou", "social_security_card", "senior_card", "retirement", "marriage",
        "driving_license",
    }  # fmt: skip
    assert {c.status for c in DATASET.certificates} == {"valid", "expired"}
    assert {a.status for a in DATASET.applications} == {
        "submitted", "reviewing", "approved", "rejected", "needs_info"
    }  # fmt: skip
    assert len(DATASET.agency_points) == 18
    slot_days = {(s.start + timedelta(hours=8)).date() for s in DATASET.slots}
    assert min(slot_days) >= DATASET.today
    assert max(slot_days) <= DATASET.today + timedelta(days=30)
    assert all(day.weekday() < 5 for day in slot_days)


def test_seeded_allowances_only_for_citizens_of_80_and_over() -> None:
    for application in DATASET.applications:
        if application.service_code == "elderly_allowance":
            citizen = DATASET.citizen(application.citizen_id)
            assert age_on(citizen.birth_date, CENSUS_DATE) >= 80


@pytest.mark.parametrize(
    ("profile", "demo"), list(zip(DEMO_PROFILES, seed.DEMO_CITIZENS, strict=True))
)
def test_demo_constants_match_the_dataset(profile: object, demo: seed.DemoCitizen) -> None:
    citizen = DATASET.citizen(demo.citizen_id)
    assert (citizen.name, citizen.id_number, citizen.phone) == (
        demo.name,
        demo.id_number,
        demo.phone,
    )
    assert age_on(citizen.birth_date, CENSUS_DATE) == profile.age  # type: ignore[attr-defined]


def test_demo_facts() -> None:
    certification = {p.citizen_id: p.status for p in DATASET.pension_certifications}
    assert certification[seed.DEMO_ALLOWANCE_ELIGIBLE.citizen_id] == "due"
    assert certification[seed.DEMO_CERTIFICATION_OVERDUE.citizen_id] == "overdue"
    assert certification[seed.DEMO_UNDER_80.citizen_id] == "done"
    assert seed.DEMO_UNDER_60.citizen_id not in certification
    grandparents = {
        link.citizen_id for link in DATASET.family_links if link.student_id == seed.DEMO_STUDENT_ID
    }
    assert grandparents == {seed.DEMO_GRANDPARENT.citizen_id}
    accounts = {
        a.account_number
        for a in DATASET.utility_accounts
        if a.citizen_id == seed.DEMO_UTILITIES.citizen_id
    }
    unpaid = sorted(
        b.bill_id
        for b in DATASET.utility_bills
        if b.account_number in accounts and b.status == "unpaid"
    )
    assert unpaid == list(seed.DEMO_UTILITY_BILLS)
    number = seed.demo_allowance_application(DATASET)
    application = next(a for a in DATASET.applications if a.application_number == number)
    assert application.status == "reviewing"
    made = (application.created_at + timedelta(hours=8)).date()
    assert number.startswith(f"SQ{made:%Y%m%d}") and made < DATASET.today
    slots = {s.slot_id: s for s in DATASET.slots}
    demo = seed.demo_slots(DATASET.today)
    assert slots[demo.full].booked == slots[demo.full].capacity
    assert slots[demo.open].booked == 0
    assert slots[demo.last_place].capacity - slots[demo.last_place].booked == 1
    medical = {a.citizen_id: a.status for a in DATASET.medical_accounts}
    assert medical[seed.DEMO_MEDICAL_SUSPENDED.citizen_id] == "suspended"


def _open_bills(student_id: str) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    return [
        (b.bill_id, tuple((item.name, item.amount_fen) for item in b.items))
        for b in DATASET.bills_of(student_id)
        if b.status == "unpaid"
    ]


def test_demo_students_with_several_open_bills() -> None:
    assert _open_bills(seed.DEMO_SEVERAL_BILLS_STUDENT_ID) == [
        ("EB202600033", (("学费", 240000), ("住宿费", 65000))),
        ("EB202600034", (("餐费", 145200),)),
        ("EB202600035", (("教材费", 37050), ("作业本费", 5480))),
    ]
    assert _open_bills(seed.DEMO_KINDERGARTEN_STUDENT_ID) == [
        ("EB202600065", (("幼儿园保育费", 340000), ("餐费", 110000))),
        ("EB202600067", (("校服费", 22000),)),
    ]
    statuses = {b.bill_id: b.status for b in DATASET.bills_of(seed.DEMO_KINDERGARTEN_STUDENT_ID)}
    assert statuses["EB202600066"] == "paid"


def test_the_account_in_arrears_has_every_month_open() -> None:
    account = next(
        a for a in DATASET.utility_accounts if a.account_number == seed.DEMO_ARREARS_ACCOUNT
    )
    assert account.type == "water" and account.citizen_id == "CZ000010"
    bills = [b for b in DATASET.utility_bills if b.account_number == seed.DEMO_ARREARS_ACCOUNT]
    assert [b.bill_id for b in bills] == list(seed.DEMO_ARREARS_BILLS)
    assert [b.status for b in bills] == ["unpaid"] * 3
    assert [b.amount_fen for b in bills] == [8698, 5737, 6278]
    assert [b.period for b in bills] == days.months_before(DATASET.today, 3)[::-1]
    # The other accounts are as before: only the latest month of any of them is open.
    others = [b for b in DATASET.utility_bills if b.account_number != seed.DEMO_ARREARS_ACCOUNT]
    latest = max(b.period for b in others)
    assert all(b.period == latest for b in others if b.status == "unpaid")
