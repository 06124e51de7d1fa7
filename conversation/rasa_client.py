"""The gateway's client for the Rasa server: the REST channel for turns, the HTTP API for status.

Created once in the app's lifespan; Rasa listens on loopback and its HTTP API needs the token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error.

    ``code`` says why when Rasa said so (``banshi.rasa_faults``: ``actions_unavailable``,
    ``lock_store_unavailable``, ``tracker_store_unavailable``, ``bot_failed``), else
    ``rasa_unreachable`` or ``rasa_error``; ``bot_busy`` when Rasa could not start the turn
    within its time (overload); ``intent`` is what the citizen asked for, when a
    refused turn was understood (``request_human`` …).
    """

    def __init__(self, detail: str, *, code: str = "rasa_error", intent: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.intent = intent


def _refusal(response: httpx.Response) -> RasaUnavailable:
    """The fault a non-200 answer of Rasa's REST channel reports."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return RasaUnavailable(f"rasa answered {response.status_code}")
    intent = error.get("intent")
    return RasaUnavailable(
        f"rasa answered {response.status_code} {error['code']}",
        code=error["code"],
        intent=intent if isinstance(intent, str) else None,
    )


START_WITHIN_HEADER = "X-Banshi-Start-Within"
"""The seconds Rasa may hold a turn before it starts it (``banshi.rasa_admission``)."""
ANSWER_WITHIN_HEADER = "X-Banshi-Answer-Within"
"""The seconds within which Rasa may keep the turn (then the gateway has stopped waiting)."""
ANSWER_MARGIN_S = 1.0
"""The time left for Rasa's answer to come back after it kept the turn."""
STUCK_AFTER_S = 10.0
"""How much longer than ``timeout_s`` the gateway waits for Rasa's verdict on a turn. Rasa
decides whether a turn is kept (before its answer-within time) or refused, and says so; a
gateway that stopped waiting at ``timeout_s`` would tell the citizen "say it again" about a
turn Rasa kept a moment before (hundreds in a run of 4,000 while Rasa's loop lagged). Only a
Rasa that answers nothing at all is given up on, after this."""


class RasaClient:
    """Sends user turns to Rasa's REST channel and reads its status.

    A turn waits at most ``timeout_s`` in all, and Rasa starts it only within
    ``start_within_s`` (else ``503 bot_busy``, and Rasa keeps nothing), so a turn the gateway
    gave up on was not run. At most ``turns_in_flight`` turns are sent at once (the
    connections to Rasa); a turn that cannot be sent within ``start_within_s`` is refused here
    with ``bot_busy``, and the time it waited is taken from what it is allowed in Rasa and
    from its wait for the answer. Rasa keeps the turn only within ``timeout_s`` less
    :data:`ANSWER_MARGIN_S` (else ``bot_busy`` too), and the gateway waits for that verdict
    (:data:`STUCK_AFTER_S` more at most).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 10.0,
        start_within_s: float = 6.0,
        turns_in_flight: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self._timeout_s = timeout_s
        self._start_within_s = start_within_s
        self._in_flight = asyncio.Semaphore(turns_in_flight)
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_s, connect=2.0),
            limits=httpx.Limits(max_connections=turns_in_flight, max_keepalive_connections=20),
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """One user turn; returns Rasa's bot messages (``text``, ``buttons``, ``custom`` …)."""
        started = time.monotonic()
        try:
            await asyncio.wait_for(self._in_flight.acquire(), self._start_within_s)
        except asyncio.TimeoutError:
            raise RasaUnavailable(
                f"no turn to rasa free within {self._start_within_s:g} s", code="bot_busy"
            ) from None
        try:
            waited = time.monotonic() - started
            response = await self._http.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
                headers={
                    START_WITHIN_HEADER: f"{max(0.0, self._start_within_s - waited):.3f}",
                    ANSWER_WITHIN_HEADER: (
                        f"{max(0.0, self._timeout_s - ANSWER_MARGIN_S - waited):.3f}"
                    ),
                },
                timeout=httpx.Timeout(self._timeout_s - waited + STUCK_AFTER_S, connect=2.0),
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(
                f"rasa unreachable: {error!r}", code="rasa_unreachable"
            ) from error
        finally:
            self._in_flight.release()
        if response.status_code != 200:
            raise _refusal(response)
        try:
            body = response.json()
        except ValueError as error:
            raise RasaUnavailable("rasa answered with invalid JSON") from error
        if not isinstance(body, list):
            raise RasaUnavailable("rasa answered with an unexpected document")
        logger.debug(
            "gateway.rasa.turn ms=%.1f messages=%d",
            (time.monotonic() - started) * 1000,
            len(body),
        )
        return body

    async def execute(
        self, sender: str, action: str, slots: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run ``action`` in the conversation now (not in answer to a user turn), after setting
        ``slots``; returns the messages the action said. For events like staff handing back."""
        params = {"token": self._token}
        tracker = f"/conversations/{quote(sender, safe='')}"
        try:
            if slots:
                events = [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
                response = await self._http.post(
                    f"{tracker}/tracker/events", params=params, json=events
                )
                response.raise_for_status()
            response = await self._http.post(
                f"{tracker}/execute", params=params, json={"name": action}
            )
            response.raise_for_status()
            body = response.json()
            # The bot now waits for the user, as after any answer (rules expect action_listen
            # before a user turn).
            listen = [{"event": "action", "name": "action_listen"}]
            await self._http.post(f"{tracker}/tracker/events", params=params, json=listen)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
            raise RasaUnavailable(f"rasa execute failed: {error!r}") from error
        messages = body.get("messages") if isinstance(body, dict) else None
        return [m for m in messages or [] if isinstance(m, dict)]

    async def status(self) -> dict[str, Any]:
        """Rasa's ``/status`` (needs the token): which model is loaded."""
        try:
            response = await self._http.get("/status", params={"token": self._token})
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(f"rasa status failed: {error!r}") from error
        return data if isinstance(data, dict) else {}
