"""Typed results of the platform API: one frozen pydantic model per response shape.

Money is :class:`~decimal.Decimal` yuan (parsed from the JSON number's text, so ``217.9``
stays exactly 217.90); dates and times stay ISO strings as the platform sent them (times in
Beijing time); lists are tuples. Optional fields the platform omits are None (or empty when
the callers want text). Fields the contract does not name are ignored.

:func:`parse` checks an answer against its model; an answer of another shape (a field
missing, a value of the wrong type, a list where an object belongs) raises
:class:`pydantic.ValidationError`, which the client turns into
:class:`~platform_client.errors.UnexpectedResponse`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, Extra, parse_obj_as
from pydantic.errors import DictError

T = TypeVar("T")
R = TypeVar("R", bound="Result")


def parse(answer: type[T], data: Any) -> T:
    """``data`` (decoded JSON) as ``answer``: a model, or ``list[Model]``."""
    return parse_obj_as(answer, data)


class Result(BaseModel):
    """A platform answer: frozen (and hashable), extra fields ignored."""

    class Config:
        frozen = True
        extra = Extra.ignore

    @classmethod
    def validate(cls: type[R], value: Any) -> R:
        """Only a JSON object is a result (pydantic alone would also take a list of pairs)."""
        if not isinstance(value, dict | cls):
            raise DictError()
        return super().validate(value)


class BillItem(Result):
    """One line of a bill; amount in yuan."""

    name: str
    amount: Decimal


class EducationBill(Result):
    """An education bill of ``GET /v1/education/bills`` (amounts in yuan)."""

    bill_id: str
    student_name_masked: str = ""
    school: str
    term: str
    items: tuple[BillItem, ...] = ()
    total: Decimal
    status: str
    due_date: str = ""


class Payment(Result):
    """A payment order created on the unified payment component (``POST /v1/payments``)."""

    payment_id: str
    amount: Decimal
    status: str
    pay_code: str


class PendingPayment(Result):
    """The pending payment of a bill, carried by ``bill_already_paid`` while the bill is not
    paid yet (``error.pending_payment``, platform_client/CONTRACT.md): pay with its code."""

    payment_id: str
    amount: Decimal
    status: str
    pay_code: str
    expires_at: str | None = None


class PaymentStatus(Result):
    """State of a payment (``GET /v1/payments/{id}``): ``pending`` | ``paid`` | ``expired`` |
    ``failed``."""

    payment_id: str
    bill_id: str = ""
    amount: Decimal
    status: str
    paid_at: str | None = None
    receipt_no: str | None = None


class VerificationStarted(Result):
    """An SMS code was sent (``POST /v1/identity/verifications``); ask the citizen for it."""

    verification_id: str
    channel: str = "sms"
    masked_phone: str = ""
    expires_at: str | None = None


class Citizen(Result):
    """The identified citizen (numbers masked; ``*_full`` only for the citizen themself)."""

    citizen_id: str
    name: str
    masked_id: str = ""
    age: int
    district: str = ""
    phone_masked: str = ""
    id_number_full: str | None = None
    phone_full: str | None = None


class CitizenSession(Result):
    """A citizen token (valid 30 minutes) and the citizen it identifies (``…/confirm`` and
    ``POST /v1/identity/card-reads``)."""

    citizen_token: str
    expires_at: str | None = None
    citizen: Citizen


class Service(Result):
    """A service (事项) of the catalog (``GET /v1/services``)."""

    code: str
    name: str
    department: str = ""
    requires_identity: bool = False
    accepts_commitment: bool = False
    materials: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    proxy_allowed: bool = False


class PensionCertification(Result):
    """``due`` | ``done`` | ``overdue``, with the dates and the ways to certify
    (``GET /v1/pension/certification``)."""

    status: str
    due_date: str
    last_done_at: str | None = None
    methods: tuple[str, ...] = ()


class CertificationRecord(Result):
    """A certification (``POST /v1/pension/certification``): ``done`` at once or
    ``scheduled`` (a visit)."""

    record_id: str
    status: str
    next_due_date: str


class PensionPayment(Result):
    """One month's pension (``GET /v1/pension/payments``)."""

    month: str
    amount: Decimal
    paid_on: str
    bank_masked: str = ""


class Claim(Result):
    """A hospital bill and the reimbursed part."""

    date: str
    hospital: str
    total: Decimal
    reimbursed: Decimal


class MedicalAccount(Result):
    """Medical insurance account (``GET /v1/medical-insurance/account``): balance,
    paid-until date, status, recent claims."""

    balance: Decimal
    paid_until: str
    status: str
    recent_claims: tuple[Claim, ...] = ()


class UtilityBill(Result):
    """A water, electricity or gas bill (``GET /v1/utilities/bills``); pay it with
    :meth:`PlatformClient.create_payment`."""

    bill_id: str
    type: str
    account_masked: str = ""
    period: str
    amount: Decimal
    status: str
    due_date: str | None = None


class ApplicationCreated(Result):
    """A submitted application and what happens next (``POST /v1/applications``)."""

    application_number: str
    status: str
    next_steps: tuple[str, ...] = ()


class TimelineEntry(Result):
    """One step of an application."""

    at: str
    status: str
    note: str = ""


class Application(Result):
    """An application's status and timeline (``GET /v1/applications/{number}``)."""

    application_number: str = ""
    service_code: str
    status: str
    timeline: tuple[TimelineEntry, ...] = ()


class ApplicationSummary(Result):
    """One of a citizen's applications (``GET /v1/applications``)."""

    application_number: str
    service_code: str
    status: str
    submitted_at: str = ""


class Certificate(Result):
    """An e-certificate of the citizen (``GET /v1/certificates``)."""

    type: str
    name: str
    status: str
    number_masked: str = ""
    expires_on: str | None = None


class Presentation(Result):
    """A one-time code to show a certificate, valid 5 minutes
    (``POST /v1/certificates/{type}/presentations``)."""

    presentation_code: str
    expires_at: str


class AgencyPoint(Result):
    """A hall or community agency point (``GET /v1/agency-points``)."""

    point_id: str
    name: str
    address: str
    kind: str
    opening_hours: str = ""


class Slot(Result):
    """A bookable hour with the places left (``GET /v1/appointments/slots``)."""

    slot_id: str
    start: str
    end: str
    remaining: int


class AppointmentPoint(Result):
    """Where a booked appointment takes place."""

    name: str = ""
    address: str = ""


class Appointment(Result):
    """A booked appointment (``POST /v1/appointments``)."""

    appointment_id: str
    start: str
    point: AppointmentPoint | None = None
    confirmation_code: str = ""

    @property
    def point_name(self) -> str:
        """The point's name (empty when the platform sent none)."""
        return self.point.name if self.point else ""

    @property
    def point_address(self) -> str:
        """The point's address (empty when the platform sent none)."""
        return self.point.address if self.point else ""


class ComplaintFiled(Result):
    """A 12345 work order (``POST /v1/complaints``)."""

    ticket_number: str


class ProxyAuthorization(Result):
    """An authorization for an agent (``POST /v1/proxy-authorizations``); send its id as
    ``X-Proxy-Authorization``."""

    authorization_id: str
    expires_at: str


class AgentAuthorization(Result):
    """An authorization an agent holds (``GET /v1/agent-authorizations``, CONTRACT.md): for
    whom (masked name, age), which services, until when, and whether it still holds."""

    authorization_id: str
    agent_kind: str
    agent_id: str
    citizen_name_masked: str
    citizen_age: int | None = None
    scopes: list[str] = []
    expires_at: str
    revoked_at: str | None = None
    status: str
    """active | expired | revoked."""

    @property
    def active(self) -> bool:
        """Whether the agent may act with it now (the platform decides again on each call)."""
        return self.status == "active"


class District(Result):
    """A district of the city (``GET /v1/districts``, platform_client/CONTRACT.md)."""

    code: str
    name: str


class School(Result):
    """A school or kindergarten (``GET /v1/schools``, platform_client/CONTRACT.md)."""

    school_id: str
    name: str
    district: str
    kind: str
