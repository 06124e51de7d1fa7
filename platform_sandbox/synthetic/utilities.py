"""Water, electricity and gas accounts and their bills for the three months before the month
of the dataset's ``today``.

Older bills are paid (by bank debit, so there is no payment record); the latest bill of an
account is unpaid about a third of the time. One more water account, made after all the others
(so that their data stays as it was), has every month unpaid: an account in arrears, for the
demos and tests of several open bills (``DEMO_ARREARS_ACCOUNT`` in ``platform_sandbox.seed``).
"""

from __future__ import annotations

import random
from datetime import date

from .calendar import month_after, months_before
from .demo import profile_of
from .records import Dataset, UtilityAccount, UtilityBill

UTILITY_TYPES = ("water", "electricity", "gas")
PERIOD_COUNT = 3
"""Billing months per account; a bill is due on the 25th of the following month."""

ACCOUNT_PREFIX = {"water": "31", "electricity": "15", "gas": "62"}
"""First digits of a 10-digit account number (户号) by utility."""

HOLDING_SHARE = {"water": 0.6, "electricity": 0.75, "gas": 0.5}
"""Share of citizens registered as the holder of each kind of account."""

AMOUNT_RANGE_FEN = {"water": (2500, 15000), "electricity": (6000, 45000), "gas": (2000, 20000)}
UNPAID_SHARE = 0.35


def generate_utilities(rng: random.Random, dataset: Dataset) -> None:
    """Accounts of the citizens and three months of bills for each."""
    used: set[str] = set()
    periods = months_before(dataset.today, PERIOD_COUNT)
    for citizen in dataset.citizens:
        profile = profile_of(citizen.citizen_id)
        for kind in UTILITY_TYPES:
            holds = rng.random() < HOLDING_SHARE[kind]
            if profile is not None:
                holds = profile.all_utilities_unpaid
            if not holds:
                continue
            account = UtilityAccount(
                account_number=_account_number(rng, kind, used),
                type=kind,
                citizen_id=citizen.citizen_id,
                address=citizen.address,
            )
            dataset.utility_accounts.append(account)
            latest_unpaid = rng.random() < UNPAID_SHARE
            if profile is not None:
                latest_unpaid = True
            low, high = AMOUNT_RANGE_FEN[kind]
            for period in periods:
                dataset.utility_bills.append(
                    UtilityBill(
                        bill_id=f"UB2026{len(dataset.utility_bills) + 1:05d}",
                        account_number=account.account_number,
                        type=kind,
                        period=f"{period:%Y-%m}",
                        amount_fen=rng.randrange(low, high, 1),
                        due_date=month_after(period).replace(day=25),
                        status="unpaid" if period == periods[-1] and latest_unpaid else "paid",
                    )
                )
    _arrears_account(rng, dataset, periods, used)


ARREARS_TYPE = "water"


def _arrears_account(
    rng: random.Random, dataset: Dataset, periods: list[date], used: set[str]
) -> None:
    """A water account of the first ordinary citizen without one, every month unpaid (a bank
    debit that stopped). Drawn after every other account, from the same stream."""
    holders = {a.citizen_id for a in dataset.utility_accounts if a.type == ARREARS_TYPE}
    citizen = next(
        c
        for c in dataset.citizens
        if profile_of(c.citizen_id) is None and c.citizen_id not in holders
    )
    account = UtilityAccount(
        account_number=_account_number(rng, ARREARS_TYPE, used),
        type=ARREARS_TYPE,
        citizen_id=citizen.citizen_id,
        address=citizen.address,
    )
    dataset.utility_accounts.append(account)
    low, high = AMOUNT_RANGE_FEN[ARREARS_TYPE]
    for period in periods:
        dataset.utility_bills.append(
            UtilityBill(
                bill_id=f"UB2026{len(dataset.utility_bills) + 1:05d}",
                account_number=account.account_number,
                type=ARREARS_TYPE,
                period=f"{period:%Y-%m}",
                amount_fen=rng.randrange(low, high, 1),
                due_date=month_after(period).replace(day=25),
                status="unpaid",
            )
        )


def _account_number(rng: random.Random, kind: str, used: set[str]) -> str:
    while True:
        number = ACCOUNT_PREFIX[kind] + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number
