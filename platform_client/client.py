"""The one client banshi uses to call the provincial platform (shared/PLATFORM_API.md).

One instance per process that calls the platform (the action server's, ``actions.runtime``; the
gateway's for staff proxy cases, ``handoff.runtime``), created when the server starts and
closed when it stops. What it does on top of httpx:

- timeouts: connect 1 s, read 3 s by default (configurable);
- reads (``GET``) are retried with exponential backoff and jitter when the platform is down,
  too slow or answers 429 with a short ``Retry-After``;
- every ``POST`` carries an ``Idempotency-Key`` (the caller's, or a fresh one) that stays the
  same across its retries; a write is retried only when it certainly did not reach the
  platform (connection refused, connect timeout, 429), and the key is on the raised error
  (``error.idempotency_key``) so that a caller who tries again later cannot do the work twice;
- a circuit breaker (:mod:`platform_client.breaker`) fails fast while the platform is down;
- every contract error code becomes its own exception class (:mod:`platform_client.errors`);
- every answer is checked against its pydantic model (:mod:`platform_client.results`; the
  body of a ``DELETE``'s answer, which the contract gives no shape, is not read): one that
  is not of the contract's shape (not JSON, empty, a field missing or of the wrong type, a list
  where an object belongs) raises :class:`~platform_client.errors.UnexpectedResponse`. It is
  not retried (the same request gets the same answer; a write may have been done) and it does
  not count against the breaker (the platform did answer); the log names the route and where
  the answer is wrong, never what it contains;
- nothing it logs or raises holds a personal number in full: a route with a student, account
  or application number in it is masked (``/v1/applications/*****1234``) by the rules of
  :mod:`zhtext.masking`, and query parameters are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from platform_client.breaker import BreakerState, CircuitBreaker
from platform_client.errors import (
    CircuitOpen,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    UnexpectedResponse,
    error_from_response,
)
from platform_client.results import (
    AgencyPoint,
    AgentAuthorization,
    Application,
    ApplicationCreated,
    ApplicationSummary,
    Appointment,
    BillItem,
    Certificate,
    CertificationRecord,
    CitizenSession,
    ComplaintFiled,
    District,
    EducationBill,
    MedicalAccount,
    Payment,
    PaymentStatus,
    PensionCertification,
    PensionPayment,
    Presentation,
    ProxyAuthorization,
    School,
    Service,
    Slot,
    UtilityBill,
    VerificationStarted,
    parse,
)
from zhtext.masking import mask_log_text

__all__ = [
    "BillItem",
    "CitizenAuth",
    "EducationBill",
    "Payment",
    "PlatformClient",
    "RetryPolicy",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

IDEMPOTENCY_HEADER = "Idempotency-Key"
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before the request left: a write may be retried after them."""
_LOGGED_PROBLEMS = 5
"""At most this many places of a malformed answer are logged."""


@dataclass(frozen=True)
class CitizenAuth:
    """Who a call acts for: the citizen's token, or a proxy authorization (or both)."""

    citizen_token: str | None = None
    proxy_authorization_id: str | None = None

    def headers(self) -> dict[str, str]:
        """``X-Citizen-Token`` and/or ``X-Proxy-Authorization``."""
        out: dict[str, str] = {}
        if self.citizen_token:
            out["X-Citizen-Token"] = self.citizen_token
        if self.proxy_authorization_id:
            out["X-Proxy-Authorization"] = self.proxy_authorization_id
        return out


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try again."""

    attempts: int = 3
    """Tries per call, the first included."""
    backoff_s: float = 0.1
    """Wait before the second try; doubles each time (plus up to as much jitter)."""
    backoff_max_s: float = 1.0
    """Longest wait between tries."""
    max_retry_after_s: float = 2.0
    """A 429 whose ``Retry-After`` is longer is raised, not waited for."""

    def delay(self, attempt: int, error: PlatformError) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        if error.retry_after_s is not None:
            return error.retry_after_s
        base = min(self.backoff_max_s, self.backoff_s * 2 ** (attempt - 1))
        return base + random.uniform(0, base)  # jitter, not a secret


class PlatformClient:
    """Calls the platform over HTTP with the client key; raises typed errors."""

    def __init__(
        self,
        base_url: str,
        client_key: str,
        *,
        connect_timeout_s: float = 1.0,
        read_timeout_s: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {client_key}"},
            transport=transport,
        )
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()

    @property
    def breaker_state(self) -> BreakerState:
        """The circuit breaker's state (``closed`` while the platform is healthy)."""
        return self.breaker.state

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- transport ---------------------------------------------------------------------

    async def _request(
        self,
        answer: type[T],
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        citizen: CitizenAuth | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        """Send with retries; return the answer parsed as ``answer`` (a result model, or
        ``list[Model]``) or raise a :class:`PlatformError`."""
        response, key = await self._send(
            method,
            path,
            params=params,
            json=json,
            citizen=citizen,
            idempotency_key=idempotency_key,
        )
        try:
            return self._read(answer, response, method, path)
        except UnexpectedResponse as error:
            error.idempotency_key = key
            raise

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        citizen: CitizenAuth | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[httpx.Response, str | None]:
        """Send with retries; the 2xx response and the ``Idempotency-Key`` it carried."""
        headers = citizen.headers() if citizen else {}
        key = None
        if method == "POST":
            key = idempotency_key or uuid.uuid4().hex
            headers[IDEMPOTENCY_HEADER] = key
        query = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return await self._attempt(method, path, query, json, headers), key
            except PlatformError as error:
                error.idempotency_key = key
                if attempt == self.retry.attempts or not self._may_retry(method, error):
                    raise
                delay = self.retry.delay(attempt, error)
                logger.info(
                    "platform.call.retry method=%s path=%s code=%s attempt=%d delay_s=%.2f",
                    method, mask_log_text(path), error.code, attempt, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _read(self, answer: type[T], response: httpx.Response, method: str, path: str) -> T:
        """The response's JSON body as ``answer``, or :class:`UnexpectedResponse`."""
        try:
            data = response.json()
        except ValueError:  # not JSON, empty, or not text at all
            raise _unexpected(response, method, path, "not_json") from None
        try:
            return parse(answer, data)
        except ValidationError as invalid:
            raise _unexpected(response, method, path, _places(invalid.errors())) from None

    def _may_retry(self, method: str, error: PlatformError) -> bool:
        if isinstance(error, CircuitOpen):
            return False
        if isinstance(error, RateLimited):  # refused before any work: safe for writes too
            wait = error.retry_after_s
            return wait is None or wait <= self.retry.max_retry_after_s
        if not isinstance(error, PlatformUnavailable):
            return False
        return method == "GET" or not error.reached_platform

    async def _attempt(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        json: Any,
        headers: dict[str, str],
    ) -> httpx.Response:
        self.breaker.before_call()
        started = time.perf_counter()
        try:
            response = await self._http.request(
                method, path, params=params, json=json, headers=headers
            )
        except _NOT_SENT as error:
            self.breaker.record_failure()
            unavailable = PlatformUnavailable(f"cannot reach platform: {type(error).__name__}")
            unavailable.reached_platform = False
            raise unavailable from error
        except httpx.TimeoutException as error:
            self.breaker.record_failure()
            raise PlatformUnavailable(f"timeout calling {method} {mask_log_text(path)}") from error
        except httpx.TransportError as error:
            self.breaker.record_failure()
            raise PlatformUnavailable(f"transport error: {type(error).__name__}") from error
        except BaseException:
            self.breaker.abandon()
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "platform.call method=%s path=%s status=%d ms=%.1f",
            method, mask_log_text(path), response.status_code, elapsed_ms,
        )  # fmt: skip
        if response.status_code >= 500:
            self.breaker.record_failure()
            raise PlatformUnavailable(
                f"{method} {mask_log_text(path)} answered {response.status_code}",
                response.status_code,
            )
        self.breaker.record_success()
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            refused = error_from_response(
                response.status_code, body, response.headers.get("retry-after")
            )
            if isinstance(refused, UnexpectedResponse):
                _log_unexpected(response, method, path, "no_error_body")
            raise refused
        return response

    # -- identity ----------------------------------------------------------------------

    async def start_verification(
        self,
        *,
        name: str | None = None,
        id_number: str | None = None,
        phone: str | None = None,
        id_last6: str | None = None,
        purpose: str | None = None,
        idempotency_key: str | None = None,
    ) -> VerificationStarted:
        """Send an SMS code: give ``name`` + ``id_number``, or ``phone`` + ``id_last6``;
        ``purpose="proxy_binding"`` when the code lets a relative act for the citizen (the SMS
        says so, platform_client/CONTRACT.md)."""
        body = {
            k: v
            for k, v in {
                "name": name, "id_number": id_number, "phone": phone, "id_last6": id_last6,
                "purpose": purpose,
            }.items()
            if v is not None
        }  # fmt: skip
        return await self._request(
            VerificationStarted,
            "POST",
            "/v1/identity/verifications",
            json=body,
            idempotency_key=idempotency_key,
        )

    async def confirm_verification(
        self, verification_id: str, *, code: str, idempotency_key: str | None = None
    ) -> CitizenSession:
        """Check the SMS code; a citizen token valid 30 minutes."""
        return await self._request(
            CitizenSession,
            "POST",
            f"/v1/identity/verifications/{verification_id}/confirm",
            json={"code": code},
            idempotency_key=idempotency_key,
        )

    async def read_card(
        self, *, id_number: str, name: str, idempotency_key: str | None = None
    ) -> CitizenSession:
        """Identify the citizen from the kiosk's ID-card reader."""
        return await self._request(
            CitizenSession,
            "POST",
            "/v1/identity/card-reads",
            json={"card_payload": {"id_number": id_number, "name": name}},
            idempotency_key=idempotency_key,
        )

    # -- catalog and places --------------------------------------------------------------

    async def services(self, *, q: str | None = None, district: str | None = None) -> list[Service]:
        """Services matching ``q`` (all when None)."""
        return await self._request(
            list[Service], "GET", "/v1/services", params={"q": q, "district": district}
        )

    async def agency_points(self, *, district: str | None = None) -> list[AgencyPoint]:
        """Halls and community agency points (of one district)."""
        return await self._request(
            list[AgencyPoint], "GET", "/v1/agency-points", params={"district": district}
        )

    async def districts(self) -> list[District]:
        """The city's districts (``GET /v1/districts``, platform_client/CONTRACT.md)."""
        return await self._request(list[District], "GET", "/v1/districts")

    async def schools(self, *, district: str | None = None) -> list[School]:
        """Schools and kindergartens (of one district); platform_client/CONTRACT.md."""
        return await self._request(
            list[School], "GET", "/v1/schools", params={"district": district}
        )

    # -- education fees and payments -------------------------------------------------------

    async def education_bills(
        self, *, student_id: str | None = None, citizen: CitizenAuth | None = None
    ) -> list[EducationBill]:
        """Bills of one student, or (``citizen`` only) of the citizen's grandchildren."""
        return await self._request(
            list[EducationBill],
            "GET",
            "/v1/education/bills",
            params={"student_id": student_id},
            citizen=citizen,
        )

    async def create_payment(
        self,
        *,
        bill_id: str,
        idempotency_key: str | None = None,
        payer: str = "family",
        notify_phone: str | None = None,
        citizen: CitizenAuth | None = None,
    ) -> Payment:
        """Create a payment order for an education or utility bill (``POST /v1/payments``)."""
        body: dict[str, Any] = {"bill_id": bill_id, "payer": payer}
        if notify_phone is not None:
            body["notify_phone"] = notify_phone
        return await self._request(
            Payment,
            "POST",
            "/v1/payments",
            json=body,
            citizen=citizen,
            idempotency_key=idempotency_key,
        )

    async def payment(self, payment_id: str) -> PaymentStatus:
        """State of a payment (``pending`` until paid in the payment app)."""
        return await self._request(PaymentStatus, "GET", f"/v1/payments/{payment_id}")

    # -- pension and medical insurance ----------------------------------------------------

    async def pension_certification(self, *, citizen: CitizenAuth) -> PensionCertification:
        """Where the citizen stands with the yearly pension eligibility check."""
        return await self._request(
            PensionCertification, "GET", "/v1/pension/certification", citizen=citizen
        )

    async def certify_pension(
        self, *, citizen: CitizenAuth, method: str, idempotency_key: str | None = None
    ) -> CertificationRecord:
        """Certify now (``kiosk_face``, ``video``) or book ``home_visit`` / ``agency_point``."""
        return await self._request(
            CertificationRecord,
            "POST",
            "/v1/pension/certification",
            json={"method": method},
            citizen=citizen,
            idempotency_key=idempotency_key,
        )

    async def pension_payments(
        self, *, citizen: CitizenAuth, months: int = 6
    ) -> list[PensionPayment]:
        """The last ``months`` pension payments, newest first."""
        return await self._request(
            list[PensionPayment],
            "GET",
            "/v1/pension/payments",
            params={"months": months},
            citizen=citizen,
        )

    async def medical_account(self, *, citizen: CitizenAuth) -> MedicalAccount:
        """The citizen's medical insurance account."""
        return await self._request(
            MedicalAccount, "GET", "/v1/medical-insurance/account", citizen=citizen
        )

    # -- utilities ---------------------------------------------------------------------

    async def utility_bills(
        self,
        *,
        utility_type: str | None = None,
        account_number: str | None = None,
        citizen: CitizenAuth | None = None,
    ) -> list[UtilityBill]:
        """Bills of an account number, or of all the citizen's accounts."""
        return await self._request(
            list[UtilityBill],
            "GET",
            "/v1/utilities/bills",
            params={"type": utility_type, "account_number": account_number},
            citizen=citizen,
        )

    # -- applications --------------------------------------------------------------------

    async def submit_application(
        self,
        *,
        citizen: CitizenAuth,
        service_code: str,
        form: dict[str, Any] | None = None,
        commitment: bool = False,
        idempotency_key: str | None = None,
    ) -> ApplicationCreated:
        """Apply for a service; ``commitment`` = the informed-commitment statement accepted."""
        return await self._request(
            ApplicationCreated,
            "POST",
            "/v1/applications",
            json={"service_code": service_code, "form": form or {}, "commitment": commitment},
            citizen=citizen,
            idempotency_key=idempotency_key,
        )

    async def application(
        self, application_number: str, *, citizen: CitizenAuth | None = None
    ) -> Application:
        """Status and timeline of an application."""
        return await self._request(
            Application, "GET", f"/v1/applications/{application_number}", citizen=citizen
        )

    async def applications(self, *, citizen: CitizenAuth) -> list[ApplicationSummary]:
        """The citizen's applications, newest first."""
        return await self._request(
            list[ApplicationSummary], "GET", "/v1/applications", citizen=citizen
        )

    # -- e-certificates ------------------------------------------------------------------

    async def certificates(self, *, citizen: CitizenAuth) -> list[Certificate]:
        """The citizen's e-certificates."""
        return await self._request(list[Certificate], "GET", "/v1/certificates", citizen=citizen)

    async def present_certificate(
        self, *, citizen: CitizenAuth, certificate_type: str, idempotency_key: str | None = None
    ) -> Presentation:
        """A one-time code (5 minutes) that shows the certificate to a clerk or bank."""
        return await self._request(
            Presentation,
            "POST",
            f"/v1/certificates/{certificate_type}/presentations",
            citizen=citizen,
            idempotency_key=idempotency_key,
        )

    # -- appointments --------------------------------------------------------------------

    async def slots(
        self, *, service_code: str, point_id: str, date: str | None = None
    ) -> list[Slot]:
        """Slots of a point for a service (one day ``YYYY-MM-DD``, or all)."""
        return await self._request(
            list[Slot],
            "GET",
            "/v1/appointments/slots",
            params={"service_code": service_code, "point_id": point_id, "date": date},
        )

    async def book_appointment(
        self,
        *,
        citizen: CitizenAuth,
        slot_id: str,
        service_code: str,
        home_visit: bool = False,
        address: str | None = None,
        idempotency_key: str | None = None,
    ) -> Appointment:
        """Book a slot (or a home visit at ``address``)."""
        body: dict[str, Any] = {
            "slot_id": slot_id, "service_code": service_code, "home_visit": home_visit
        }  # fmt: skip
        if address is not None:
            body["address"] = address
        return await self._request(
            Appointment,
            "POST",
            "/v1/appointments",
            json=body,
            citizen=citizen,
            idempotency_key=idempotency_key,
        )

    async def cancel_appointment(self, appointment_id: str, *, citizen: CitizenAuth) -> None:
        """Cancel an appointment (cancelling twice is fine)."""
        await self._send("DELETE", f"/v1/appointments/{appointment_id}", citizen=citizen)

    # -- complaints and proxies ------------------------------------------------------------

    async def file_complaint(
        self,
        *,
        category: str,
        content: str,
        location: str | None = None,
        contact_phone: str | None = None,
        citizen: CitizenAuth | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """Open a 12345 work order; returns its ticket number."""
        body: dict[str, Any] = {"category": category, "content": content}
        if location is not None:
            body["location"] = location
        if contact_phone is not None:
            body["contact_phone"] = contact_phone
        filed = await self._request(
            ComplaintFiled,
            "POST",
            "/v1/complaints",
            json=body,
            citizen=citizen,
            idempotency_key=idempotency_key,
        )
        return filed.ticket_number

    async def authorize_proxy(
        self,
        *,
        citizen: CitizenAuth,
        agent_kind: str,
        agent_id: str,
        scopes: list[str],
        expires_in_days: int,
        idempotency_key: str | None = None,
    ) -> ProxyAuthorization:
        """The citizen lets ``agent_id`` (``family`` | ``staff``) act for them in ``scopes``."""
        return await self._request(
            ProxyAuthorization,
            "POST",
            "/v1/proxy-authorizations",
            json={
                "agent_kind": agent_kind,
                "agent_id": agent_id,
                "scopes": scopes,
                "expires_in_days": expires_in_days,
            },
            citizen=citizen,
            idempotency_key=idempotency_key,
        )

    async def revoke_proxy(self, authorization_id: str, *, citizen: CitizenAuth) -> None:
        """Revoke an authorization at once: as the citizen (their token), or as the agent
        giving it up (``CitizenAuth(proxy_authorization_id=authorization_id)``)."""
        await self._send("DELETE", f"/v1/proxy-authorizations/{authorization_id}", citizen=citizen)

    async def agent_authorizations(
        self, *, agent_kind: str, agent_id: str
    ) -> list[AgentAuthorization]:
        """The authorizations ``agent_id`` holds that this system recorded, newest first
        (revoked and expired ones too, with their ``status``; CONTRACT.md)."""
        return await self._request(
            list[AgentAuthorization],
            "GET",
            "/v1/agent-authorizations",
            params={"agent_kind": agent_kind, "agent_id": agent_id},
        )


def _places(problems: Sequence[Any]) -> str:
    """Where a validated answer is wrong and how (``0.total:value_error.missing``), without
    the values: pydantic's locations and error types only."""
    out = []
    for problem in problems[:_LOGGED_PROBLEMS]:
        location = [str(part) for part in problem["loc"] if part != "__root__"]
        out.append(f"{'.'.join(location) or '(answer)'}:{problem['type']}")
    if len(problems) > _LOGGED_PROBLEMS:
        out.append(f"+{len(problems) - _LOGGED_PROBLEMS} more")
    return ",".join(out)


def _log_unexpected(response: httpx.Response, method: str, path: str, problem: str) -> None:
    """One warning for operators: the route, the status, the answer's type and size, what is
    wrong where. Never the answer itself (it may hold personal data)."""
    logger.warning(
        "platform.call.unexpected_response method=%s path=%s status=%d content_type=%s "
        "bytes=%d problem=%s",
        method,
        mask_log_text(path),
        response.status_code,
        response.headers.get("content-type", "-"),
        len(response.content),
        problem,
    )


def _unexpected(
    response: httpx.Response, method: str, path: str, problem: str
) -> UnexpectedResponse:
    """Log a 2xx answer that is not of the contract's shape; the error to raise for it."""
    _log_unexpected(response, method, path, problem)
    return UnexpectedResponse(f"{method} {mask_log_text(path)}: {problem}", response.status_code)
