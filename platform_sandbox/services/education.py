"""Education bills: lookup by student number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..masking import mask_name
from ..money import fen_to_yuan
from ..schemas.education import BillItemOut, BillOut
from ..tables import Bill, FamilyLink


def list_bills(*, session: Session, student_id: str) -> list[BillOut]:
    """The bills of ``student_id`` ordered by due date; empty when the student is unknown."""
    bills = (
        session.execute(
            select(Bill).where(Bill.student_id == student_id).order_by(Bill.due_date, Bill.bill_id)
        )
        .scalars()
        .all()
    )
    return [bill_out(bill) for bill in bills]


def list_family_bills(*, session: Session, citizen_id: str) -> list[BillOut]:
    """The bills of every student linked to the citizen (grandchildren, children)."""
    students = select(FamilyLink.student_id).where(
        FamilyLink.citizen_id == citizen_id, FamilyLink.student_id.is_not(None)
    )
    bills = (
        session.execute(
            select(Bill).where(Bill.student_id.in_(students)).order_by(Bill.due_date, Bill.bill_id)
        )
        .scalars()
        .all()
    )
    return [bill_out(bill) for bill in bills]


def bill_out(bill: Bill) -> BillOut:
    """The response form of a bill (student name masked, amounts in yuan)."""
    return BillOut(
        bill_id=bill.bill_id,
        student_name_masked=mask_name(bill.student.name),
        school=bill.school,
        term=bill.term,
        items=[
            BillItemOut(name=item.name, amount=fen_to_yuan(item.amount_fen)) for item in bill.items
        ],
        total=fen_to_yuan(bill.total_fen),
        status=bill.status,
        due_date=bill.due_date,
    )
