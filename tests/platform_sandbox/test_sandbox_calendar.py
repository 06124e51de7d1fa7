"""The sandbox's calendar: every dated record is laid out around the dataset's day, a database
laid out on another day is laid out anew at start, and the process's day can be pinned."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from platform_sandbox import clock, seed
from platform_sandbox.config import SandboxConfig
from platform_sandbox.db import open_database
from platform_sandbox.synthetic import Dataset, calendar, generate_dataset
from platform_sandbox.tables import AppointmentSlot, Bill, DatasetInfo

DAYS = (
    date(2026, 12, 5),  # a Saturday
    date(2027, 1, 1),  # a Friday, across the new year
    date(2027, 12, 6),  # a year ahead
    date(2028, 2, 29),  # a leap day
    date(2031, 6, 30),  # the spring term, years ahead
)


@pytest.fixture(scope="module", params=DAYS, ids=lambda day: day.isoformat())
def data(request: pytest.FixtureRequest) -> Dataset:
    return generate_dataset(seed.DEFAULT_SEED, request.param)


def _beijing(stored: datetime) -> date:
    return (stored + timedelta(hours=8)).date()


def test_the_same_seed_and_day_give_the_same_data_and_another_day_other_dates() -> None:
    first = generate_dataset(seed.DEFAULT_SEED, DAYS[0])
    assert first == generate_dataset(seed.DEFAULT_SEED, DAYS[0])
    later = generate_dataset(seed.DEFAULT_SEED, DAYS[2])
    assert [c.id_number for c in later.citizens] == [c.id_number for c in first.citizens]
    assert [b.bill_id for b in later.bills] == [b.bill_id for b in first.bills]
    assert [b.due_date for b in later.bills] != [b.due_date for b in first.bills]


def test_slots_run_from_the_day_for_thirty_days_on_weekdays(data: Dataset) -> None:
    slot_days = {_beijing(s.start) for s in data.slots}
    assert min(slot_days) >= data.today
    assert max(slot_days) <= data.today + timedelta(days=30)
    assert {day.weekday() for day in slot_days} <= {0, 1, 2, 3, 4}
    demo = seed.demo_slots(data.today)
    by_id = {s.slot_id: s for s in data.slots}
    assert by_id[demo.full].booked == by_id[demo.full].capacity
    assert by_id[demo.open].booked == 0
    assert by_id[demo.last_place].capacity - by_id[demo.last_place].booked == 1
    demo_days = sorted(_beijing(by_id[s].start) for s in (demo.full, demo.open, demo.last_place))
    assert demo_days[0] > data.today and all(day.weekday() < 5 for day in demo_days)
    assert (demo_days[-1] - data.today).days <= 5


def test_bills_fall_due_after_the_day_and_were_paid_before_it(data: Dataset) -> None:
    assert all(data.today < b.due_date <= data.today + timedelta(days=30) for b in data.bills)
    assert all(_beijing(p.paid_at) < data.today for p in data.payments)
    unpaid = [
        b
        for b in data.utility_bills
        if b.status == "unpaid" and b.account_number != seed.DEMO_ARREARS_ACCOUNT
    ]
    last_month = (data.today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert unpaid and {b.period for b in unpaid} == {last_month}
    assert {b.due_date for b in unpaid} == {data.today.replace(day=25)}  # this month's 25th
    # The account in arrears: its older months were due before this month.
    arrears = [b for b in data.utility_bills if b.account_number == seed.DEMO_ARREARS_ACCOUNT]
    assert all(b.due_date < data.today.replace(day=1) for b in arrears[:-1])
    assert arrears[-1].due_date == data.today.replace(day=25)


def test_pension_and_medical_states_hold_on_the_day(data: Dataset) -> None:
    for certification in data.pension_certifications:
        if certification.status == "overdue":
            assert certification.due_date < data.today
        elif certification.status == "due":
            assert certification.due_date > data.today
        else:
            assert certification.last_done_at is not None
            assert certification.last_done_at < data.today < certification.due_date
    months = sorted(p.month for p in data.pension_payments)
    assert months[-1] == (data.today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert all(p.paid_on < data.today for p in data.pension_payments)
    for account in data.medical_accounts:
        ends = date(data.today.year - (account.status == "suspended"), 12, 31)
        assert account.paid_until == ends
    assert all(c.claim_date < data.today for c in data.medical_claims)


def test_certificates_applications_and_demo_profiles_hold_on_the_day(data: Dataset) -> None:
    for certificate in data.certificates:
        assert certificate.issued_on < data.today
        expired = certificate.expires_on is not None and certificate.expires_on < data.today
        assert certificate.status == ("expired" if expired else "valid")
    licences = {c.citizen_id: c.status for c in data.certificates if c.type == "driving_license"}
    assert licences[seed.DEMO_UNDER_80.citizen_id] == "expired"
    for application in data.applications:
        assert all(_beijing(event.at) < data.today for event in application.events)
        made = _beijing(application.created_at)
        assert application.application_number.startswith(f"SQ{made:%Y%m%d}")
    states = {c.citizen_id: c.status for c in data.pension_certifications}
    assert states[seed.DEMO_ALLOWANCE_ELIGIBLE.citizen_id] == "due"
    assert states[seed.DEMO_CERTIFICATION_OVERDUE.citizen_id] == "overdue"
    assert seed.find_demo_student(data) == seed.DEMO_STUDENT_ID


def test_a_database_laid_out_on_another_day_is_laid_out_anew(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'sandbox.db'}")
    first, later = DAYS[0], DAYS[2]
    try:
        assert seed.seed_if_stale(database=database, seed=seed.DEFAULT_SEED, today=first)
        with database.writing() as session:  # a payment made through the API
            session.execute(update(Bill).where(Bill.bill_id == "EB202600001").values(status="paid"))
        assert not seed.seed_if_stale(database=database, seed=seed.DEFAULT_SEED, today=first)
        with database.reading() as session:
            assert session.get(Bill, "EB202600001").status == "paid"
        assert seed.seed_if_stale(database=database, seed=seed.DEFAULT_SEED, today=later)
        with database.reading() as session:
            bill = session.get(Bill, "EB202600001")
            assert bill.status == "unpaid" and bill.due_date > later
            info = session.get(DatasetInfo, 1)
            assert (info.seed, info.today) == (seed.DEFAULT_SEED, later)
            first_slot = session.execute(
                select(AppointmentSlot.start).order_by(AppointmentSlot.start).limit(1)
            ).scalar_one()
            assert _beijing(first_slot) >= later
    finally:
        database.dispose()


def test_a_reset_on_another_day_moves_every_date(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'sandbox.db'}")
    try:
        seed.reset_to_seed(database=database, seed=seed.DEFAULT_SEED, today=DAYS[0])
        seed.reset_to_seed(database=database, seed=seed.DEFAULT_SEED, today=DAYS[1])
        expected = {
            b.bill_id: b.due_date for b in seed.cached_dataset(seed.DEFAULT_SEED, DAYS[1]).bills
        }
        with database.reading() as session:
            stored = dict(session.execute(select(Bill.bill_id, Bill.due_date)).all())
        assert stored == expected
    finally:
        database.dispose()


def test_the_day_is_pinned_by_banshi_today_and_a_blank_value_follows_the_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BANSHI_TODAY", "2027-01-01")
    assert SandboxConfig().today == date(2027, 1, 1)
    monkeypatch.setenv("BANSHI_TODAY", " ")
    assert SandboxConfig().today is None
    try:
        clock.pin_today(date(2027, 1, 1))
        assert clock.today() == date(2027, 1, 1)
        clock.pin_today(None)
        assert clock.today() == datetime.now(clock.BEIJING).date()
    finally:
        clock.pin_today(None)


def test_calendar_arithmetic_across_years_and_leap_days() -> None:
    assert calendar.add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert calendar.add_years(date(2028, 2, 29), -4) == date(2024, 2, 29)
    assert calendar.months_before(date(2027, 1, 15), 3) == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert calendar.month_after(date(2026, 12, 31)) == date(2027, 1, 1)
    assert calendar.month_after(date(2028, 1, 31)) == date(2028, 2, 1)
    assert calendar.weekdays_after(date(2027, 1, 1), 3) == [
        date(2027, 1, 4),
        date(2027, 1, 5),
        date(2027, 1, 6),
    ]
