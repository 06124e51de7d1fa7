"""Students and their education bills for the term that ``today`` falls in.

Each school has one fee schedule (the same amounts for all its pupils), drawn from the
ranges below; each student gets 1–3 of the bills their kind of school issues.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import geography, names
from .records import Bill, BillItem, Dataset, Payment, School, Student

DUE_IN_DAYS = (9, 30)
"""A bill falls due this many days after ``today`` (inclusive range)."""

PAID_WITHIN_DAYS = 91
"""A bill paid already was paid in the 91 days before ``today``."""

STUDENT_COUNT = 36
PAID_SHARE = 0.25
"""Share of bills that the dataset starts with as already paid."""

SCHOOL_DAYS = 88
"""Days with school meals in the term (餐费 = daily rate × days)."""


@dataclass(frozen=True)
class FeeRange:
    """How one fee item is drawn: ``low``..``high`` fen in steps of ``step`` fen."""

    name: str
    low: int
    high: int
    step: int
    per_school_day: bool = False
    """When true, the drawn amount is a daily rate multiplied by :data:`SCHOOL_DAYS`."""

    def draw(self, rng: random.Random) -> int:
        """An amount in fen."""
        amount = rng.randrange(self.low, self.high + 1, self.step)
        return amount * SCHOOL_DAYS if self.per_school_day else amount


_MEALS = FeeRange("餐费", 1200, 1800, 50, per_school_day=True)
_AFTER_SCHOOL = FeeRange("课后服务费", 32000, 56000, 1000)
_UNIFORM = FeeRange("校服费", 18000, 36000, 50)
_EXERCISE_BOOKS = FeeRange("作业本费", 3000, 8000, 10)

BILL_KINDS: dict[str, tuple[tuple[FeeRange, ...], ...]] = {
    # school kind: the bills such a school issues, each a tuple of its items
    "kindergarten": (
        (FeeRange("幼儿园保育费", 180000, 360000, 10000), _MEALS),
        (FeeRange("延时照护费", 20000, 50000, 1000),),
        (_UNIFORM,),
    ),
    "primary": ((_MEALS,), (_AFTER_SCHOOL,), (_UNIFORM, _EXERCISE_BOOKS)),
    "junior": ((_MEALS,), (_AFTER_SCHOOL,), (_UNIFORM, _EXERCISE_BOOKS)),
    "senior": (
        (FeeRange("学费", 110000, 250000, 10000), FeeRange("住宿费", 60000, 120000, 5000)),
        (_MEALS,),
        (FeeRange("教材费", 20000, 45000, 10), _EXERCISE_BOOKS),
    ),
}

_BEIJING = timedelta(hours=8)


def term_of(day: date) -> str:
    """The school term ``day`` falls in: autumn from September to January, spring from
    February to August (``2026年秋季学期`` for 2026-12-05 and for 2027-01-10)."""
    if day.month >= 9:
        return f"{day.year}年秋季学期"
    if day.month == 1:
        return f"{day.year - 1}年秋季学期"
    return f"{day.year}年春季学期"


def generate_education(rng: random.Random, dataset: Dataset) -> None:
    """Add students, their bills and the payments of the paid bills to ``dataset``."""
    all_schools = geography.schools()
    schedules = {school.name: _fee_schedule(rng, school) for school in all_schools}
    used_ids: set[str] = set()
    for _ in range(STUDENT_COUNT):
        school = rng.choice(all_schools)
        student = Student(
            student_id=_student_id(rng, used_ids), name=names.child_name(rng), school=school
        )
        dataset.students.append(student)
        bill_kinds = schedules[school.name]
        count = rng.choices((1, 2, 3), weights=(4, 4, 2))[0]
        for index in sorted(rng.sample(range(len(bill_kinds)), count)):
            bill = _bill(rng, dataset, student, bill_kinds[index])
            dataset.bills.append(bill)
            if bill.status == "paid":
                dataset.payments.append(_seed_payment(rng, dataset, bill))


def _fee_schedule(rng: random.Random, school: School) -> list[tuple[BillItem, ...]]:
    """The amounts of each bill this school issues."""
    return [
        tuple(BillItem(name=fee.name, amount_fen=fee.draw(rng)) for fee in bill_items)
        for bill_items in BILL_KINDS[school.kind]
    ]


def _student_id(rng: random.Random, used: set[str]) -> str:
    """A new 10-digit student number (no leading zero)."""
    while True:
        candidate = str(rng.randrange(10**9, 10**10))
        if candidate not in used:
            used.add(candidate)
            return candidate


def _bill(
    rng: random.Random, dataset: Dataset, student: Student, items: tuple[BillItem, ...]
) -> Bill:
    return Bill(
        bill_id=f"EB2026{len(dataset.bills) + 1:05d}",
        student_id=student.student_id,
        school=student.school.name,
        term=term_of(dataset.today),
        items=items,
        due_date=dataset.today + timedelta(days=rng.randint(*DUE_IN_DAYS)),
        status="paid" if rng.random() < PAID_SHARE else "unpaid",
    )


def _seed_payment(rng: random.Random, dataset: Dataset, bill: Bill) -> Payment:
    """The payment that paid ``bill`` on one of the days before ``today``."""
    first = dataset.today - timedelta(days=PAID_WITHIN_DAYS)
    local_paid_at = datetime(first.year, first.month, first.day, 8) + timedelta(
        days=rng.randrange(0, PAID_WITHIN_DAYS - 6), minutes=rng.randrange(0, 13 * 60)
    )
    paid_at = local_paid_at - _BEIJING
    number = len(dataset.payments) + 1
    return Payment(
        payment_id=f"pay_seed{number:08d}",
        bill_id=bill.bill_id,
        payer=rng.choice(("self", "family")),
        amount_fen=bill.total_fen,
        pay_code=f"{rng.randrange(10**8):08d}",
        created_at=paid_at - timedelta(minutes=rng.randrange(1, 30)),
        paid_at=paid_at,
        receipt_no=f"R{local_paid_at:%Y%m%d}-S{number:07d}",
    )
