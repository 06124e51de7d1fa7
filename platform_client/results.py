"""Typed results of the platform API: one frozen dataclass per response shape.

Money is :class:`~decimal.Decimal` yuan (parsed from the JSON number's text, so ``217.9``
stays exactly 217.90); dates and times stay ISO strings as the platform sent them (times in
Beijing time). Optional fields the platform omits are None.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _opt(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True)
class BillItem:
    """One line of a bill; amount in yuan."""

    name: str
    amount: Decimal


@dataclass(frozen=True)
class EducationBill:
    """An education bill as the platform returns it (amounts in yuan)."""

    bill_id: str
    student_name_masked: str
    school: str
    term: str
    items: tuple[BillItem, ...]
    total: Decimal
    status: str
    due_date: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EducationBill:
        """Parse one bill of ``GET /v1/education/bills``."""
        return cls(
            bill_id=str(data["bill_id"]),
            student_name_masked=str(data.get("student_name_masked", "")),
            school=str(data["school"]),
            term=str(data["term"]),
            items=tuple(
                BillItem(str(item["name"]), _money(item["amount"]))
                for item in data.get("items", [])
            ),
            total=_money(data["total"]),
            status=str(data["status"]),
            due_date=str(data.get("due_date", "")),
        )


@dataclass(frozen=True)
class Payment:
    """A payment order created on the unified payment component."""

    payment_id: str
    amount: Decimal
    status: str
    pay_code: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Payment:
        """Parse the answer of ``POST /v1/payments``."""
        return cls(
            payment_id=str(data["payment_id"]),
            amount=_money(data["amount"]),
            status=str(data["status"]),
            pay_code=str(data["pay_code"]),
        )


@dataclass(frozen=True)
class PaymentStatus:
    """State of a payment: ``pending`` | ``paid`` | ``expired`` | ``failed``."""

    payment_id: str
    bill_id: str
    amount: Decimal
    status: str
    paid_at: str | None
    receipt_no: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentStatus:
        """Parse ``GET /v1/payments/{id}``."""
        return cls(
            payment_id=str(data["payment_id"]),
            bill_id=str(data.get("bill_id", "")),
            amount=_money(data["amount"]),
            status=str(data["status"]),
            paid_at=_opt(data, "paid_at"),
            receipt_no=_opt(data, "receipt_no"),
        )


@dataclass(frozen=True)
class VerificationStarted:
    """An SMS code was sent; ask the citizen for it."""

    verification_id: str
    channel: str
    masked_phone: str
    expires_at: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerificationStarted:
        """Parse ``POST /v1/identity/verifications``."""
        return cls(
            verification_id=str(data["verification_id"]),
            channel=str(data.get("channel", "sms")),
            masked_phone=str(data.get("masked_phone", "")),
            expires_at=_opt(data, "expires_at"),
        )


@dataclass(frozen=True)
class Citizen:
    """The identified citizen (numbers masked; ``*_full`` only for the citizen themself)."""

    citizen_id: str
    name: str
    masked_id: str
    age: int
    district: str
    phone_masked: str
    id_number_full: str | None = None
    phone_full: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citizen:
        """Parse the ``citizen`` object of a citizen session."""
        return cls(
            citizen_id=str(data["citizen_id"]),
            name=str(data["name"]),
            masked_id=str(data.get("masked_id", "")),
            age=int(data["age"]),
            district=str(data.get("district", "")),
            phone_masked=str(data.get("phone_masked", "")),
            id_number_full=_opt(data, "id_number_full"),
            phone_full=_opt(data, "phone_full"),
        )


@dataclass(frozen=True)
class CitizenSession:
    """A citizen token (valid 30 minutes) and the citizen it identifies."""

    citizen_token: str
    expires_at: str | None
    citizen: Citizen

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CitizenSession:
        """Parse ``…/confirm`` and ``POST /v1/identity/card-reads``."""
        return cls(
            citizen_token=str(data["citizen_token"]),
            expires_at=_opt(data, "expires_at"),
            citizen=Citizen.from_json(data["citizen"]),
        )


@dataclass(frozen=True)
class Service:
    """A service (事项) of the catalog."""

    code: str
    name: str
    department: str
    requires_identity: bool
    accepts_commitment: bool
    materials: tuple[str, ...]
    channels: tuple[str, ...]
    proxy_allowed: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Service:
        """Parse one entry of ``GET /v1/services``."""
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            department=str(data.get("department", "")),
            requires_identity=bool(data.get("requires_identity")),
            accepts_commitment=bool(data.get("accepts_commitment")),
            materials=tuple(str(m) for m in data.get("materials", [])),
            channels=tuple(str(c) for c in data.get("channels", [])),
            proxy_allowed=bool(data.get("proxy_allowed")),
        )


@dataclass(frozen=True)
class PensionCertification:
    """``due`` | ``done`` | ``overdue``, with the dates and the ways to certify."""

    status: str
    due_date: str
    last_done_at: str | None
    methods: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PensionCertification:
        """Parse ``GET /v1/pension/certification``."""
        return cls(
            status=str(data["status"]),
            due_date=str(data["due_date"]),
            last_done_at=_opt(data, "last_done_at"),
            methods=tuple(str(m) for m in data.get("methods", [])),
        )


@dataclass(frozen=True)
class CertificationRecord:
    """A certification: ``done`` at once or ``scheduled`` (a visit)."""

    record_id: str
    status: str
    next_due_date: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificationRecord:
        """Parse ``POST /v1/pension/certification``."""
        return cls(str(data["record_id"]), str(data["status"]), str(data["next_due_date"]))


@dataclass(frozen=True)
class PensionPayment:
    """One month's pension."""

    month: str
    amount: Decimal
    paid_on: str
    bank_masked: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PensionPayment:
        """Parse one entry of ``GET /v1/pension/payments``."""
        return cls(
            month=str(data["month"]),
            amount=_money(data["amount"]),
            paid_on=str(data["paid_on"]),
            bank_masked=str(data.get("bank_masked", "")),
        )


@dataclass(frozen=True)
class Claim:
    """A hospital bill and the reimbursed part."""

    date: str
    hospital: str
    total: Decimal
    reimbursed: Decimal


@dataclass(frozen=True)
class MedicalAccount:
    """Medical insurance account: balance, paid-until date, status, recent claims."""

    balance: Decimal
    paid_until: str
    status: str
    recent_claims: tuple[Claim, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MedicalAccount:
        """Parse ``GET /v1/medical-insurance/account``."""
        return cls(
            balance=_money(data["balance"]),
            paid_until=str(data["paid_until"]),
            status=str(data["status"]),
            recent_claims=tuple(
                Claim(
                    date=str(c["date"]),
                    hospital=str(c["hospital"]),
                    total=_money(c["total"]),
                    reimbursed=_money(c["reimbursed"]),
                )
                for c in data.get("recent_claims", [])
            ),
        )


@dataclass(frozen=True)
class UtilityBill:
    """A water, electricity or gas bill; pay it with :meth:`PlatformClient.create_payment`."""

    bill_id: str
    type: str
    account_masked: str
    period: str
    amount: Decimal
    status: str
    due_date: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UtilityBill:
        """Parse one entry of ``GET /v1/utilities/bills``."""
        return cls(
            bill_id=str(data["bill_id"]),
            type=str(data["type"]),
            account_masked=str(data.get("account_masked", "")),
            period=str(data["period"]),
            amount=_money(data["amount"]),
            status=str(data["status"]),
            due_date=_opt(data, "due_date"),
        )


@dataclass(frozen=True)
class ApplicationCreated:
    """A submitted application and what happens next."""

    application_number: str
    status: str
    next_steps: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApplicationCreated:
        """Parse ``POST /v1/applications``."""
        return cls(
            application_number=str(data["application_number"]),
            status=str(data["status"]),
            next_steps=tuple(str(s) for s in data.get("next_steps", [])),
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One step of an application."""

    at: str
    status: str
    note: str


@dataclass(frozen=True)
class Application:
    """An application's status and timeline."""

    application_number: str
    service_code: str
    status: str
    timeline: tuple[TimelineEntry, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Application:
        """Parse ``GET /v1/applications/{number}``."""
        return cls(
            application_number=str(data.get("application_number", "")),
            service_code=str(data["service_code"]),
            status=str(data["status"]),
            timeline=tuple(
                TimelineEntry(str(t["at"]), str(t["status"]), str(t.get("note", "")))
                for t in data.get("timeline", [])
            ),
        )


@dataclass(frozen=True)
class ApplicationSummary:
    """One of a citizen's applications."""

    application_number: str
    service_code: str
    status: str
    submitted_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApplicationSummary:
        """Parse one entry of ``GET /v1/applications``."""
        return cls(
            application_number=str(data["application_number"]),
            service_code=str(data["service_code"]),
            status=str(data["status"]),
            submitted_at=str(data.get("submitted_at", "")),
        )


@dataclass(frozen=True)
class Certificate:
    """An e-certificate of the citizen."""

    type: str
    name: str
    status: str
    number_masked: str
    expires_on: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Certificate:
        """Parse one entry of ``GET /v1/certificates``."""
        return cls(
            type=str(data["type"]),
            name=str(data["name"]),
            status=str(data["status"]),
            number_masked=str(data.get("number_masked", "")),
            expires_on=_opt(data, "expires_on"),
        )


@dataclass(frozen=True)
class Presentation:
    """A one-time code to show a certificate (valid 5 minutes)."""

    presentation_code: str
    expires_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Presentation:
        """Parse ``POST /v1/certificates/{type}/presentations``."""
        return cls(str(data["presentation_code"]), str(data["expires_at"]))


@dataclass(frozen=True)
class AgencyPoint:
    """A hall or community agency point."""

    point_id: str
    name: str
    address: str
    kind: str
    opening_hours: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AgencyPoint:
        """Parse one entry of ``GET /v1/agency-points``."""
        return cls(
            point_id=str(data["point_id"]),
            name=str(data["name"]),
            address=str(data["address"]),
            kind=str(data["kind"]),
            opening_hours=str(data.get("opening_hours", "")),
        )


@dataclass(frozen=True)
class Slot:
    """A bookable hour with the places left."""

    slot_id: str
    start: str
    end: str
    remaining: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        """Parse one entry of ``GET /v1/appointments/slots``."""
        return cls(
            str(data["slot_id"]), str(data["start"]), str(data["end"]), int(data["remaining"])
        )


@dataclass(frozen=True)
class Appointment:
    """A booked appointment."""

    appointment_id: str
    start: str
    point_name: str
    point_address: str
    confirmation_code: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Appointment:
        """Parse ``POST /v1/appointments``."""
        point = data.get("point") or {}
        return cls(
            appointment_id=str(data["appointment_id"]),
            start=str(data["start"]),
            point_name=str(point.get("name", "")),
            point_address=str(point.get("address", "")),
            confirmation_code=str(data.get("confirmation_code", "")),
        )


@dataclass(frozen=True)
class ProxyAuthorization:
    """An authorization for an agent; send its id as ``X-Proxy-Authorization``."""

    authorization_id: str
    expires_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProxyAuthorization:
        """Parse ``POST /v1/proxy-authorizations``."""
        return cls(str(data["authorization_id"]), str(data["expires_at"]))


@dataclass(frozen=True)
class District:
    """A district of the city (platform_client/CONTRACT.md)."""

    code: str
    name: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> District:
        """Parse one entry of ``GET /v1/districts``."""
        return cls(code=str(data["code"]), name=str(data["name"]))


@dataclass(frozen=True)
class School:
    """A school or kindergarten (platform_client/CONTRACT.md)."""

    school_id: str
    name: str
    district: str
    kind: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> School:
        """Parse one entry of ``GET /v1/schools``."""
        return cls(
            school_id=str(data["school_id"]),
            name=str(data["name"]),
            district=str(data["district"]),
            kind=str(data["kind"]),
        )
