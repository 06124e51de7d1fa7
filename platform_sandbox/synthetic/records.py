"""Plain records of a synthetic dataset; the seed loader writes them to the database.

Money is in integer fen (分); dates are calendar dates; timestamps are naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class School:
    """A school or kindergarten of the synthetic city."""

    name: str
    district: str
    kind: str
    """``kindergarten`` | ``primary`` | ``junior`` | ``senior``."""


@dataclass(frozen=True)
class Student:
    """A pupil (a grandchild of an elderly citizen) identified by a 10-digit student number."""

    student_id: str
    name: str
    school: School


@dataclass(frozen=True)
class BillItem:
    """One line of a bill."""

    name: str
    amount_fen: int


@dataclass(frozen=True)
class Bill:
    """One education bill of a student."""

    bill_id: str
    student_id: str
    school: str
    term: str
    items: tuple[BillItem, ...]
    due_date: date
    status: str
    """``unpaid`` | ``paid``."""

    @property
    def total_fen(self) -> int:
        """Sum of the items, in fen."""
        return sum(item.amount_fen for item in self.items)


@dataclass(frozen=True)
class Payment:
    """A completed payment of a bill that the dataset starts with as paid."""

    payment_id: str
    bill_id: str
    payer: str
    amount_fen: int
    pay_code: str
    created_at: datetime
    paid_at: datetime
    receipt_no: str


@dataclass(frozen=True)
class Citizen:
    """A resident aged 55–99 on :data:`~platform_sandbox.synthetic.citizens.CENSUS_DATE`."""

    citizen_id: str
    name: str
    gender: str
    """``M`` | ``F`` (the 17th digit of the ID number is odd for men)."""
    birth_date: date
    id_number: str
    """18 characters, GB 11643 check character last."""
    phone: str
    district: str
    address: str
    bank_account: str
    pensioner: bool


@dataclass(frozen=True)
class FamilyLink:
    """A relative of a citizen (spouse, child, or grandchild who is a student)."""

    citizen_id: str
    relation: str
    """``spouse`` | ``child`` | ``grandchild``."""
    name: str
    phone: str | None = None
    relative_citizen_id: str | None = None
    student_id: str | None = None


@dataclass(frozen=True)
class PensionCertification:
    """Where a pensioner stands with the yearly eligibility check."""

    citizen_id: str
    status: str
    """``due`` | ``done`` | ``overdue``."""
    due_date: date
    last_done_at: date | None


@dataclass(frozen=True)
class PensionPayment:
    """One month's pension."""

    citizen_id: str
    month: str
    """``YYYY-MM``."""
    amount_fen: int
    paid_on: date


@dataclass(frozen=True)
class MedicalAccount:
    """A medical insurance account."""

    citizen_id: str
    balance_fen: int
    paid_until: date
    status: str
    """``active`` | ``suspended``."""


@dataclass(frozen=True)
class MedicalClaim:
    """A hospital bill with the reimbursed share."""

    citizen_id: str
    claim_date: date
    hospital: str
    total_fen: int
    reimbursed_fen: int


@dataclass(frozen=True)
class UtilityAccount:
    """A water, electricity or gas account of a citizen."""

    account_number: str
    type: str
    """``water`` | ``electricity`` | ``gas``."""
    citizen_id: str
    address: str


@dataclass(frozen=True)
class UtilityBill:
    """One month's utility bill; paid ones were paid by bank debit (no payment record)."""

    bill_id: str
    account_number: str
    type: str
    period: str
    """``YYYY-MM``."""
    amount_fen: int
    due_date: date
    status: str
    """``unpaid`` | ``paid``."""


@dataclass(frozen=True)
class Certificate:
    """An e-certificate of a citizen."""

    citizen_id: str
    type: str
    name: str
    number: str
    status: str
    """``valid`` | ``expired``."""
    issued_on: date
    expires_on: date | None
    """None for certificates valid for life (长期)."""


@dataclass(frozen=True)
class ApplicationEvent:
    """One step of an application's timeline (``at`` is naive UTC)."""

    at: datetime
    status: str
    note: str


@dataclass(frozen=True)
class Application:
    """An application made before the data's reference date."""

    application_number: str
    citizen_id: str
    service_code: str
    status: str
    commitment: bool
    form: dict[str, object]
    created_at: datetime
    events: tuple[ApplicationEvent, ...]


@dataclass(frozen=True)
class AgencyPoint:
    """A government-service hall or a community agency point."""

    point_id: str
    name: str
    address: str
    district: str
    kind: str
    """``hall`` | ``community_point``."""
    opening_hours: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class AppointmentSlot:
    """A bookable time slot of a point (``start``/``end`` naive UTC)."""

    slot_id: str
    point_id: str
    start: datetime
    end: datetime
    capacity: int
    booked: int


@dataclass
class Dataset:
    """Everything one seed generates for one day."""

    seed: int
    today: date
    """The day the data is laid out around: due dates, slots, statuses, histories."""
    students: list[Student] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    citizens: list[Citizen] = field(default_factory=list)
    family_links: list[FamilyLink] = field(default_factory=list)
    pension_certifications: list[PensionCertification] = field(default_factory=list)
    pension_payments: list[PensionPayment] = field(default_factory=list)
    medical_accounts: list[MedicalAccount] = field(default_factory=list)
    medical_claims: list[MedicalClaim] = field(default_factory=list)
    utility_accounts: list[UtilityAccount] = field(default_factory=list)
    utility_bills: list[UtilityBill] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    agency_points: list[AgencyPoint] = field(default_factory=list)
    slots: list[AppointmentSlot] = field(default_factory=list)

    def bills_of(self, student_id: str) -> list[Bill]:
        """The bills of one student, in generation order."""
        return [bill for bill in self.bills if bill.student_id == student_id]

    def citizen(self, citizen_id: str) -> Citizen:
        """The citizen with ``citizen_id`` (KeyError when there is none)."""
        for citizen in self.citizens:
            if citizen.citizen_id == citizen_id:
                return citizen
        raise KeyError(citizen_id)
