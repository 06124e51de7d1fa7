"""An async client for the platform API: typed results, typed errors, keyed writes.

One instance per process, created when the server starts (``actions.platform.runtime``) and
closed when it stops. Every write that creates or pays carries an ``Idempotency-Key`` so a
retried request never does the work twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from actions.platform.errors import PlatformError, PlatformUnavailable


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
                BillItem(str(item["name"]), Decimal(str(item["amount"])))
                for item in data.get("items", [])
            ),
            total=Decimal(str(data["total"])),
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
    ) -> None:
        timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {client_key}"},
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        try:
            response = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as error:
            raise PlatformUnavailable(f"timeout calling {method} {path}") from error
        except httpx.TransportError as error:
            raise PlatformUnavailable(f"cannot reach platform: {error!r}") from error
        if response.status_code >= 500:
            raise PlatformUnavailable(
                f"{method} {path} answered {response.status_code}", response.status_code
            )
        if response.status_code >= 400:
            try:
                error_body = response.json()["error"]
                code, message = str(error_body["code"]), str(error_body.get("message", ""))
            except (ValueError, KeyError, TypeError):
                code, message = "unexpected_response", response.text[:200]
            raise PlatformError(code, message, response.status_code)
        try:
            return response.json()
        except ValueError as error:
            raise PlatformUnavailable(f"{method} {path}: response is not JSON") from error

    async def education_bills(self, *, student_id: str) -> list[EducationBill]:
        """The education bills of one student (``GET /v1/education/bills``)."""
        data = await self._request("GET", "/v1/education/bills", params={"student_id": student_id})
        return [EducationBill.from_json(item) for item in data]

    async def create_payment(
        self, *, bill_id: str, idempotency_key: str, payer: str = "family"
    ) -> Payment:
        """Create a payment order for a bill (``POST /v1/payments``), keyed for safe retries."""
        data = await self._request(
            "POST",
            "/v1/payments",
            json={"bill_id": bill_id, "payer": payer},
            headers={"Idempotency-Key": idempotency_key},
        )
        return Payment(
            payment_id=str(data["payment_id"]),
            amount=Decimal(str(data["amount"])),
            status=str(data["status"]),
            pay_code=str(data["pay_code"]),
        )
