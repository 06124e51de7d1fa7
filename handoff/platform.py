"""The two platform calls a proxy case needs, over the platform's HTTP contract only
(shared/PLATFORM_API.md): identify the citizen from their ID card (``POST
/v1/identity/card-reads``), then, as the citizen, authorize the staff member
(``POST /v1/proxy-authorizations``). The citizen token lives only inside :meth:`authorize_staff`.

Created in the gateway's lifespan (one connection pool) and closed when it stops.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class PlatformFailure(Exception):
    """The platform refused or could not be reached; ``code`` is its error code (or
    ``platform_unavailable``), ``message`` its Chinese explanation."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Authorization:
    """A proxy authorization on the platform."""

    authorization_id: str
    expires_at: str
    citizen_masked_id: str


class PlatformClient:
    """A small async client for the proxy-authorization calls."""

    def __init__(
        self,
        base_url: str,
        client_key: str,
        *,
        connect_timeout_s: float = 1.0,
        read_timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {client_key}"},
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        try:
            response = await self._http.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            logger.error(
                "handoff.platform.unreachable path=%s error=%s", path, type(error).__name__
            )
            raise PlatformFailure(
                503, "platform_unavailable", "办事平台暂时连不上，请稍后再试。"
            ) from error
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            problem = data.get("error", {}) if isinstance(data, dict) else {}
            code = str(problem.get("code") or "platform_error")
            logger.warning(
                "handoff.platform.refused path=%s status=%s code=%s",
                path,
                response.status_code,
                code,
            )
            raise PlatformFailure(
                response.status_code, code, str(problem.get("message") or "办事平台没有办成。")
            )
        return data

    async def authorize_staff(
        self,
        *,
        name: str,
        id_number: str,
        staff_id: str,
        scopes: list[str],
        days: int,
        case_id: str,
    ) -> Authorization:
        """Identify the citizen from the ID card read at the agency point, then authorize
        ``staff_id`` for ``scopes`` for ``days`` days (a retry of the same request for the same
        case is idempotent on the platform)."""

        def key(*parts: str) -> str:
            return hashlib.sha256(":".join(("banshi-proxy", case_id, *parts)).encode()).hexdigest()

        session = await self._post(
            "/v1/identity/card-reads",
            {"card_payload": {"id_number": id_number, "name": name}},
            {"Idempotency-Key": key("card", id_number, name)},
        )
        token = str(session.get("citizen_token", ""))
        created = await self._post(
            "/v1/proxy-authorizations",
            {
                "agent_kind": "staff",
                "agent_id": staff_id,
                "scopes": scopes,
                "expires_in_days": days,
            },
            {"X-Citizen-Token": token, "Idempotency-Key": key("grant", staff_id, *scopes)},
        )
        citizen = session.get("citizen") or {}
        return Authorization(
            str(created["authorization_id"]),
            str(created.get("expires_at", "")),
            str(citizen.get("masked_id", "")),
        )
