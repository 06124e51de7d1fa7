"""The synthetic dataset and the demo student (``seed.py``, ``synthetic/``); no process."""

from __future__ import annotations

from collections import Counter

from platform_sandbox.seed import DEFAULT_SEED, DEMO_STUDENT_ID, find_demo_student
from platform_sandbox.synthetic import generate_dataset
from platform_sandbox.synthetic.education import term_of
from platform_sandbox.synthetic.geography import CITY, DISTRICTS
from tests import days


def test_same_seed_gives_the_same_dataset() -> None:
    assert generate_dataset(DEFAULT_SEED, days.today()) == generate_dataset(
        DEFAULT_SEED, days.today()
    )


def test_other_seed_gives_other_students() -> None:
    ids = {s.student_id for s in generate_dataset(DEFAULT_SEED, days.today()).students}
    other = {s.student_id for s in generate_dataset(DEFAULT_SEED + 1, days.today()).students}
    assert ids != other


def test_demo_student_constant_matches_the_default_seed() -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    assert find_demo_student(dataset) == DEMO_STUDENT_ID
    bills = dataset.bills_of(DEMO_STUDENT_ID)
    assert [(b.status, b.term, b.total_fen) for b in bills] == [
        ("unpaid", term_of(days.today()), 255000)
    ]


def test_students_have_unique_ten_digit_numbers_and_one_to_three_bills() -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    assert len(dataset.students) >= 30
    ids = [s.student_id for s in dataset.students]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 10 and i.isascii() and i.isdigit() and i[0] != "0" for i in ids)
    per_student = Counter(bill.student_id for bill in dataset.bills)
    assert set(per_student) == set(ids)
    assert set(per_student.values()) == {1, 2, 3}


def test_bills_fall_due_within_a_month_and_most_are_unpaid() -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    waits = {(b.due_date - dataset.today).days for b in dataset.bills}
    assert min(waits) >= 9 and max(waits) <= 30
    statuses = Counter(b.status for b in dataset.bills)
    assert set(statuses) == {"paid", "unpaid"}
    assert statuses["unpaid"] > 2 * statuses["paid"]
    assert len({b.bill_id for b in dataset.bills}) == len(dataset.bills)
    assert all(b.items and all(i.amount_fen > 0 for i in b.items) for b in dataset.bills)


def test_schools_are_in_the_districts_of_one_city() -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    assert CITY == "苏州市"
    assert {s.school.district for s in dataset.students} <= set(DISTRICTS)
    assert all(s.school.name.startswith(s.school.district) for s in dataset.students)
    names = {item.name for bill in dataset.bills for item in bill.items}
    assert {"学费", "餐费", "课后服务费", "幼儿园保育费"} <= names


def test_every_paid_bill_has_exactly_one_paid_payment_of_its_total() -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    paid = {b.bill_id: b.total_fen for b in dataset.bills if b.status == "paid"}
    assert {p.bill_id: p.amount_fen for p in dataset.payments} == paid
    assert len(dataset.payments) == len(paid)
