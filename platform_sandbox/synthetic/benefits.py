"""Pension (certification state, 24 months of payments) and medical insurance accounts, dated
relative to the dataset's ``today``."""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import geography
from .calendar import add_years, months_before
from .demo import profile_of
from .records import (
    Dataset,
    MedicalAccount,
    MedicalClaim,
    PensionCertification,
    PensionPayment,
)

PENSION_MONTHS = 24
"""Months of pension payments per pensioner, up to the month before ``today``'s month."""

PENSION_PAY_DAY = 10
"""Pensions are paid on the 10th of the month (the next Monday when it is a weekend)."""

YEARLY_RAISE = 1.025
"""Pensions rise by 2.5 % every July."""

CERTIFICATION_WEIGHTS = {"due": 3, "done": 6, "overdue": 2}


def generate_pension(rng: random.Random, dataset: Dataset) -> None:
    """Certification state and monthly payments of every pensioner."""
    months = months_before(dataset.today, PENSION_MONTHS)
    for citizen in dataset.citizens:
        if not citizen.pensioner:
            continue
        profile = profile_of(citizen.citizen_id)
        status = profile.certification if profile and profile.certification else None
        if status is None:
            status = rng.choices(
                list(CERTIFICATION_WEIGHTS), weights=list(CERTIFICATION_WEIGHTS.values())
            )[0]
        dataset.pension_certifications.append(
            _certification(rng, citizen.citizen_id, status, dataset.today)
        )
        amount = rng.randrange(180000, 650000, 100)  # fen, as of the first month
        for month in months:
            if month.month == 7 and month != months[0]:
                amount = int(round(amount * YEARLY_RAISE, -2))
            dataset.pension_payments.append(
                PensionPayment(
                    citizen_id=citizen.citizen_id,
                    month=f"{month:%Y-%m}",
                    amount_fen=amount,
                    paid_on=_pay_day(month),
                )
            )


def generate_medical(rng: random.Random, dataset: Dataset) -> None:
    """A medical insurance account for every citizen, with up to five claims in the 330 days
    before ``today``; an active account is paid until the end of this year, a suspended one
    stopped at the end of last year."""
    today = dataset.today
    community = [f"{district}社区卫生服务中心" for district in geography.DISTRICTS]
    for citizen in dataset.citizens:
        profile = profile_of(citizen.citizen_id)
        status = (
            profile.medical_status
            if profile
            else ("suspended" if rng.random() < 0.05 else "active")
        )
        dataset.medical_accounts.append(
            MedicalAccount(
                citizen_id=citizen.citizen_id,
                balance_fen=rng.randrange(0, 3_000_000, 1),
                paid_until=date(today.year if status == "active" else today.year - 1, 12, 31),
                status=status,
            )
        )
        claim_dates = sorted(
            today - timedelta(days=rng.randrange(1, 331)) for _ in range(rng.randint(0, 5))
        )
        for claim_date in claim_dates:
            total = rng.randrange(8000, 2_500_000, 1)
            dataset.medical_claims.append(
                MedicalClaim(
                    citizen_id=citizen.citizen_id,
                    claim_date=claim_date,
                    hospital=rng.choice(geography.HOSPITALS + tuple(community)),
                    total_fen=total,
                    reimbursed_fen=0
                    if status == "suspended"
                    else total * rng.randint(50, 90) // 100,
                )
            )


def _certification(
    rng: random.Random, citizen_id: str, status: str, today: date
) -> PensionCertification:
    if status == "done":
        last = today - timedelta(days=rng.randrange(5, 330))
        due = add_years(last, 1)
    elif status == "due":
        due = today + timedelta(days=rng.randrange(5, 30))
        last = add_years(due, -1)
    else:  # overdue
        due = today - timedelta(days=rng.randrange(10, 90))
        last = add_years(due, -1)
    return PensionCertification(
        citizen_id=citizen_id, status=status, due_date=due, last_done_at=last
    )


def _pay_day(month: date) -> date:
    paid = month.replace(day=PENSION_PAY_DAY)
    while paid.weekday() >= 5:
        paid += timedelta(days=1)
    return paid
