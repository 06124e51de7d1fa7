"""Writing a synthetic dataset into the database: all of it, or only what calls can change.

Rows are written with multi-row ``INSERT``s (no ORM objects): a dataset is ~12,000 rows.
A reset reloads only the tables the API writes to (:data:`MUTABLE_TABLES`) and puts the
statuses of bills back, when the database holds the same seed laid out around the same day
(``dataset_info``) and the reference tables still hold the dataset's row counts; otherwise it
reloads everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from . import tables
from .synthetic import Dataset

BATCH_ROWS = 500
"""Rows per multi-row INSERT."""

MUTABLE_TABLES: tuple[Any, ...] = (
    tables.ProxyCall,
    tables.Appointment,
    tables.AppointmentSlot,
    tables.ApplicationEvent,
    tables.Application,
    tables.CertificatePresentation,
    tables.PensionCertificationRecord,
    tables.PensionCertification,
    tables.Complaint,
    tables.ProxyAuthorization,
    tables.CitizenToken,
    tables.Verification,
    tables.Payment,
    tables.IdempotencyRecord,
)
"""Tables the API inserts into or updates, children before parents."""


def load_all(session: Session, dataset: Dataset) -> None:
    """Write every row of ``dataset`` into empty tables (the caller commits)."""
    _insert(session, tables.Student, (_student_row(s) for s in dataset.students))
    _insert(session, tables.Bill, (_bill_row(b) for b in dataset.bills))
    _insert(
        session,
        tables.BillItem,
        (
            {"bill_id": b.bill_id, "position": n, "name": i.name, "amount_fen": i.amount_fen}
            for b in dataset.bills
            for n, i in enumerate(b.items)
        ),
    )
    _insert(session, tables.Citizen, map(vars, dataset.citizens))
    _insert(session, tables.FamilyLink, map(vars, dataset.family_links))
    _insert(session, tables.PensionPayment, map(vars, dataset.pension_payments))
    _insert(session, tables.MedicalAccount, map(vars, dataset.medical_accounts))
    _insert(session, tables.MedicalClaim, map(vars, dataset.medical_claims))
    _insert(session, tables.UtilityAccount, map(vars, dataset.utility_accounts))
    _insert(session, tables.UtilityBill, map(vars, dataset.utility_bills))
    _insert(session, tables.Certificate, map(vars, dataset.certificates))
    _insert(
        session,
        tables.AgencyPoint,
        ({**vars(p), "services": ",".join(p.services)} for p in dataset.agency_points),
    )
    _load_mutable(session, dataset)
    session.execute(delete(tables.DatasetInfo.__table__))
    session.execute(
        insert(tables.DatasetInfo.__table__),
        {"id": 1, "seed": dataset.seed, "today": dataset.today},
    )


def stored_dataset(session: Session) -> tuple[int, date] | None:
    """The seed and day of the dataset the database holds (None: no data, or written before
    the database recorded them)."""
    info = session.get(tables.DatasetInfo, 1)
    has_data = session.execute(select(tables.Student.student_id).limit(1)).first() is not None
    if info is None or not has_data:
        return None
    return int(info.seed), info.today


def reload(session: Session, dataset: Dataset) -> None:
    """Put the database back to ``dataset`` in one transaction (the caller commits)."""
    same = stored_dataset(session) == (dataset.seed, dataset.today)
    if same and _reference_tables_intact(session, dataset):
        for model in MUTABLE_TABLES:
            session.execute(delete(model.__table__))
        _restore_statuses(
            session, tables.Bill, [b.bill_id for b in dataset.bills if b.status == "unpaid"]
        )
        _restore_statuses(
            session,
            tables.UtilityBill,
            [b.bill_id for b in dataset.utility_bills if b.status == "unpaid"],
        )
        _load_mutable(session, dataset)
        return
    for table in reversed(tables.Base.metadata.sorted_tables):
        session.execute(delete(table))
    load_all(session, dataset)


def _load_mutable(session: Session, dataset: Dataset) -> None:
    _insert(
        session,
        tables.Payment,
        (
            {
                "payment_id": p.payment_id,
                "bill_id": p.bill_id,
                "bill_kind": "education",
                "payer": p.payer,
                "notify_phone": None,
                "citizen_id": None,
                "proxy_authorization_id": None,
                "amount_fen": p.amount_fen,
                "status": "paid",
                "pay_code": p.pay_code,
                "created_at": p.created_at,
                "paid_at": p.paid_at,
                "receipt_no": p.receipt_no,
            }
            for p in dataset.payments
        ),
    )
    _insert(session, tables.PensionCertification, map(vars, dataset.pension_certifications))
    _insert(
        session,
        tables.Application,
        (
            {
                "application_number": a.application_number,
                "citizen_id": a.citizen_id,
                "service_code": a.service_code,
                "status": a.status,
                "commitment": a.commitment,
                "form": json.dumps(a.form, ensure_ascii=False),
                "proxy_authorization_id": None,
                "created_at": a.created_at,
            }
            for a in dataset.applications
        ),
    )
    _insert(
        session,
        tables.ApplicationEvent,
        (
            {"application_number": a.application_number, "position": n, **vars(event)}
            for a in dataset.applications
            for n, event in enumerate(a.events)
        ),
    )
    _insert(session, tables.AppointmentSlot, map(vars, dataset.slots))


def _reference_tables_intact(session: Session, dataset: Dataset) -> bool:
    expected: dict[Any, int] = {
        tables.Student: len(dataset.students),
        tables.Bill: len(dataset.bills),
        tables.Citizen: len(dataset.citizens),
        tables.FamilyLink: len(dataset.family_links),
        tables.PensionPayment: len(dataset.pension_payments),
        tables.MedicalAccount: len(dataset.medical_accounts),
        tables.UtilityBill: len(dataset.utility_bills),
        tables.Certificate: len(dataset.certificates),
        tables.AgencyPoint: len(dataset.agency_points),
    }
    for model, count in expected.items():
        found = session.execute(select(func.count()).select_from(model.__table__)).scalar()
        if found != count:
            return False
    return True


def _restore_statuses(session: Session, model: Any, unpaid: list[str]) -> None:
    """Bills are ``paid`` except the dataset's unpaid ones."""
    table = model.__table__
    session.execute(update(table).values(status="paid"))
    for start in range(0, len(unpaid), BATCH_ROWS):
        chunk = unpaid[start : start + BATCH_ROWS]
        session.execute(update(table).where(table.c.bill_id.in_(chunk)).values(status="unpaid"))


def _student_row(student: Any) -> dict[str, Any]:
    return {
        "student_id": student.student_id,
        "name": student.name,
        "district": student.school.district,
        "school": student.school.name,
    }


def _bill_row(bill: Any) -> dict[str, Any]:
    return {
        "bill_id": bill.bill_id,
        "student_id": bill.student_id,
        "school": bill.school,
        "term": bill.term,
        "due_date": bill.due_date,
        "status": bill.status,
    }


def _insert(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(row))
        if len(batch) == BATCH_ROWS:
            session.execute(insert(model.__table__), batch)
            batch = []
    if batch:
        session.execute(insert(model.__table__), batch)
