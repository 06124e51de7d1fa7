"""Typed errors of the platform contract.

Every error response of the platform is ``{"error": {"code", "message", ...}}``; the client
raises the :class:`PlatformError` subclass registered for that code (``BillAlreadyPaid`` for
``bill_already_paid`` …), a plain :class:`PlatformError` for a code it does not know,
:class:`PlatformUnavailable` when the platform cannot be reached, is too slow, answers with a
server error, or the circuit breaker is open (:class:`CircuitOpen`), and
:class:`UnexpectedResponse` when an answer is not of the contract's shape. The last two are
the client's own codes (:func:`client_error_types`), not the platform's. Actions turn every
error into plain Chinese with :func:`actions.explain.explain`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError

from platform_client.results import PendingPayment, parse


class PlatformError(Exception):
    """The platform refused a request with a contract error code (``bill_already_paid`` …)."""

    code_name: ClassVar[str] = ""
    """The contract code a subclass stands for (empty on the base class)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.code = code
        self.message = message
        self.status = status
        self.reason: str | None = None
        """Why, for ``not_eligible`` (``age_under_80`` …)."""
        self.missing: tuple[str, ...] = ()
        """Missing materials, for ``materials_required``."""
        self.remaining_tries: int | None = None
        """Tries left, for ``code_invalid``."""
        self.retry_after_s: float | None = None
        """Seconds to wait, from ``Retry-After`` (429)."""
        self.idempotency_key: str | None = None
        """The key the failed write carried: retry with it and the work is done at most once."""


class PlatformUnavailable(PlatformError):
    """The platform did not answer in time, refused the connection, or failed (5xx)."""

    def __init__(self, detail: str, status: int = 0) -> None:
        super().__init__("platform_unavailable", detail, status)
        self.reached_platform = True
        """False when the request never left (connection refused, connect timeout)."""


class UnexpectedResponse(PlatformError):
    """The platform answered, but not as the contract says: not JSON, an empty body, a field
    missing or of the wrong type, a list where an object belongs, a 4xx without the error
    body. ``message`` says what and where (never the answer's content)."""

    def __init__(self, detail: str, status: int) -> None:
        super().__init__("unexpected_response", detail, status)


class CircuitOpen(PlatformUnavailable):
    """The circuit breaker is open: the platform failed repeatedly, calls fail fast."""

    def __init__(self, retry_in_s: float) -> None:
        super().__init__(f"circuit open after repeated failures; next try in {retry_in_s:.1f}s")
        self.retry_after_s = retry_in_s


# Generic.
class Unauthorized(PlatformError):
    """The client key was refused (401)."""

    code_name = "unauthorized"


class NotFound(PlatformError):
    """No such route (404)."""

    code_name = "not_found"


class MethodNotAllowed(PlatformError):
    """Wrong method for the route (405)."""

    code_name = "method_not_allowed"


class InvalidRequest(PlatformError):
    """A request field is malformed (422)."""

    code_name = "invalid_request"


class InvalidJson(PlatformError):
    """The body is not JSON (422)."""

    code_name = "invalid_json"


class RateLimited(PlatformError):
    """Too many requests; see ``retry_after_s`` (429)."""

    code_name = "rate_limited"


class InvalidIdempotencyKey(PlatformError):
    """Key of 1–255 characters (422)."""

    code_name = "invalid_idempotency_key"


class IdempotencyKeyReused(PlatformError):
    """Key reused with another body (422)."""

    code_name = "idempotency_key_reused"


# Identity.
class InvalidName(PlatformError):
    """Name of 1–20 characters (422)."""

    code_name = "invalid_name"


class InvalidIdNumber(PlatformError):
    """Not a valid GB 11643 ID number (422)."""

    code_name = "invalid_id_number"


class InvalidIdLast6(PlatformError):
    """Not the last six of an ID number (422)."""

    code_name = "invalid_id_last6"


class InvalidVerificationRequest(PlatformError):
    """Neither {name, id_number} nor {phone, id_last6} (422)."""

    code_name = "invalid_verification_request"


class CitizenNotFound(PlatformError):
    """No citizen matches (404)."""

    code_name = "citizen_not_found"


class SmsTooFrequent(PlatformError):
    """A code was sent to this phone just now (429)."""

    code_name = "sms_too_frequent"


class VerificationNotFound(PlatformError):
    """Unknown verification (404)."""

    code_name = "verification_not_found"


class VerificationLocked(PlatformError):
    """Five wrong codes: locked (423)."""

    code_name = "verification_locked"


class VerificationAlreadyUsed(PlatformError):
    """Already confirmed (409)."""

    code_name = "verification_already_used"


class CodeInvalid(PlatformError):
    """Wrong code; see ``remaining_tries`` (422)."""

    code_name = "code_invalid"


class CodeExpired(PlatformError):
    """The code is older than 5 minutes (410)."""

    code_name = "code_expired"


class CardUnreadable(PlatformError):
    """The ID card could not be read (422)."""

    code_name = "card_unreadable"


class CitizenTokenRequired(PlatformError):
    """Needs a citizen token (401)."""

    code_name = "citizen_token_required"


class CitizenTokenInvalid(PlatformError):
    """Unknown citizen token (401)."""

    code_name = "citizen_token_invalid"


class CitizenTokenExpired(PlatformError):
    """Token older than 30 minutes (401)."""

    code_name = "citizen_token_expired"


# Proxy authorizations.
class ProxyAuthorizationInvalid(PlatformError):
    """Unknown, revoked or expired authorization (403)."""

    code_name = "proxy_authorization_invalid"


class ProxyScopeDenied(PlatformError):
    """The authorization lacks the service (403)."""

    code_name = "proxy_scope_denied"


class ProxyNotAllowed(PlatformError):
    """The service needs the citizen (403)."""

    code_name = "proxy_not_allowed"


class ProxyAuthorizationNotFound(PlatformError):
    """No such authorization of the citizen (404)."""

    code_name = "proxy_authorization_not_found"


class InvalidAgent(PlatformError):
    """Agent kind or id malformed (422)."""

    code_name = "invalid_agent"


class InvalidScopes(PlatformError):
    """Unknown or non-delegable service code (422)."""

    code_name = "invalid_scopes"


class InvalidExpiresInDays(PlatformError):
    """1–365 days (422)."""

    code_name = "invalid_expires_in_days"


# Catalog, places.
class InvalidDistrict(PlatformError):
    """Not a district of the city (422)."""

    code_name = "invalid_district"


class ServiceNotFound(PlatformError):
    """Unknown service code (404)."""

    code_name = "service_not_found"


# Education fees and payments.
class InvalidStudentId(PlatformError):
    """Student number not 10 digits (422)."""

    code_name = "invalid_student_id"


class BillNotFound(PlatformError):
    """Unknown bill (404)."""

    code_name = "bill_not_found"


class BillAlreadyPaid(PlatformError):
    """Bill paid, or being paid: then ``pending`` is its payment, whose pay code is still the
    one to pay with (409)."""

    code_name = "bill_already_paid"

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code, message, status)
        self.pending: PendingPayment | None = None
        """The bill's pending payment (``error.pending_payment``); None once it is paid."""


class PaymentNotFound(PlatformError):
    """Unknown payment (404)."""

    code_name = "payment_not_found"


class PaymentNotPending(PlatformError):
    """Payment expired or failed (409)."""

    code_name = "payment_not_pending"


class InvalidPhone(PlatformError):
    """Not an 11-digit mobile number (422)."""

    code_name = "invalid_phone"


class InvalidPayer(PlatformError):
    """Payer is neither self nor family (422)."""

    code_name = "invalid_payer"


class InvalidBillId(PlatformError):
    """Empty bill id (422)."""

    code_name = "invalid_bill_id"


# Pension.
class NotAPensioner(PlatformError):
    """The citizen draws no pension (404)."""

    code_name = "not_a_pensioner"


class InvalidCertificationMethod(PlatformError):
    """Unknown certification method (422)."""

    code_name = "invalid_certification_method"


class CertificationAlreadyDone(PlatformError):
    """Done this year (409)."""

    code_name = "certification_already_done"


class InvalidMonths(PlatformError):
    """Months not within 1–24 (422)."""

    code_name = "invalid_months"


# Utilities.
class InvalidUtilityType(PlatformError):
    """Not water, electricity or gas (422)."""

    code_name = "invalid_utility_type"


class InvalidAccountNumber(PlatformError):
    """Account number malformed (422)."""

    code_name = "invalid_account_number"


# Applications.
class ServiceNotApplicable(PlatformError):
    """No application for it (422)."""

    code_name = "service_not_applicable"


class InvalidForm(PlatformError):
    """A form field is missing (422)."""

    code_name = "invalid_form"


class CommitmentNotAccepted(PlatformError):
    """Proofs required (422)."""

    code_name = "commitment_not_accepted"


class NotEligible(PlatformError):
    """Not eligible; see ``reason`` (422)."""

    code_name = "not_eligible"


class MaterialsRequired(PlatformError):
    """Proofs missing; see ``missing`` (422)."""

    code_name = "materials_required"


class DuplicateApplication(PlatformError):
    """Already applied (409)."""

    code_name = "duplicate_application"


class ApplicationNotFound(PlatformError):
    """Unknown application number (404)."""

    code_name = "application_not_found"


# E-certificates.
class InvalidCertificateType(PlatformError):
    """Unknown certificate (422)."""

    code_name = "invalid_certificate_type"


class CertificateNotFound(PlatformError):
    """The citizen lacks it (404)."""

    code_name = "certificate_not_found"


class CertificateExpired(PlatformError):
    """The certificate expired (409)."""

    code_name = "certificate_expired"


# Appointments.
class PointNotFound(PlatformError):
    """Unknown agency point (404)."""

    code_name = "point_not_found"


class ServiceNotOffered(PlatformError):
    """Point does not handle it (422)."""

    code_name = "service_not_offered"


class InvalidDate(PlatformError):
    """Date not YYYY-MM-DD (422)."""

    code_name = "invalid_date"


class SlotNotFound(PlatformError):
    """Unknown slot (404)."""

    code_name = "slot_not_found"


class SlotFull(PlatformError):
    """No place left in the slot (409)."""

    code_name = "slot_full"


class HomeVisitNotAvailable(PlatformError):
    """No home visits for it (422)."""

    code_name = "home_visit_not_available"


class AddressRequired(PlatformError):
    """Home visit without an address (422)."""

    code_name = "address_required"


class DuplicateAppointment(PlatformError):
    """Slot already booked by them (409)."""

    code_name = "duplicate_appointment"


class AppointmentNotFound(PlatformError):
    """Unknown appointment (404)."""

    code_name = "appointment_not_found"


# Complaints.
class InvalidCategory(PlatformError):
    """Unknown complaint category (422)."""

    code_name = "invalid_category"


class InvalidContent(PlatformError):
    """Content not 5–2000 characters (422)."""

    code_name = "invalid_content"


# Sandbox helpers.
class SmsNotFound(PlatformError):
    """Sandbox: no code sent to the phone (404)."""

    code_name = "sms_not_found"


class InvalidFaults(PlatformError):
    """Sandbox: fault settings out of range (422)."""

    code_name = "invalid_faults"


def error_types() -> dict[str, type[PlatformError]]:
    """Contract code → exception class, for every code of the contract."""
    return {cls.code_name: cls for cls in PlatformError.__subclasses__() if cls.code_name}


def client_error_types() -> dict[str, type[PlatformError]]:
    """The client's own codes (not the platform's) → exception class."""
    return {"platform_unavailable": PlatformUnavailable, "unexpected_response": UnexpectedResponse}


def error_from_response(status: int, body: Any, retry_after: str | None = None) -> PlatformError:
    """The typed error for a 4xx response ``body`` (``{"error": {...}}``); a body of another
    shape is :class:`UnexpectedResponse` (its content is not kept: it may be personal)."""
    try:
        detail = body["error"]
        code, message = str(detail["code"]), str(detail.get("message", ""))
    except (KeyError, TypeError):
        return UnexpectedResponse(f"a {status} answer without the contract's error body", status)
    cls = error_types().get(code, PlatformError)
    error = cls(code, message, status)
    if isinstance(detail.get("reason"), str):
        error.reason = detail["reason"]
    if isinstance(detail.get("missing"), list):
        error.missing = tuple(str(item) for item in detail["missing"])
    if isinstance(detail.get("remaining_tries"), int):
        error.remaining_tries = detail["remaining_tries"]
    if isinstance(error, BillAlreadyPaid) and isinstance(detail.get("pending_payment"), dict):
        try:
            error.pending = parse(PendingPayment, detail["pending_payment"])
        except ValidationError:
            error.pending = None  # not of the contract's shape: said as plainly paid
    if retry_after is not None:
        try:
            error.retry_after_s = float(retry_after)
        except ValueError:
            error.retry_after_s = None
    return error
