"""REGISTER with a PBX (RFC 3261 §10) so that it knows where to send banshi's calls.

Digest authentication (MD5, qop=auth) answers the registrar's challenge; the registration is
refreshed before it expires, retried after a failure, and removed (Expires: 0) on shutdown.
The outcome is logged (``phone.register.ok``, ``phone.register.refused``,
``phone.register.failed``) and kept in :attr:`Registration.state` for health checks; the
password is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Literal, Protocol

from channels.phone.digest import DigestError, authorization, parse_challenge
from channels.phone.message import SipMessage, host_port, new_branch, new_tag, param, uri_of
from channels.phone.sip_settings import SipConfig

logger = logging.getLogger(__name__)

State = Literal["pending", "registered", "refused", "failed"]
RETRY_REFUSED_S = 300.0
"""After a refusal (wrong password, unknown user) wait this long: asking again at once would
look like guessing."""
RETRY_FAILED_S = 30.0
"""After no answer at all (registrar down), try again this soon."""


class Requester(Protocol):
    """The SIP transport as the registration uses it."""

    @property
    def via_host(self) -> str:
        """``host:port`` written into Via and Contact."""
        ...

    async def request(self, message: SipMessage, target: tuple[str, int]) -> SipMessage | None:
        """A client transaction: the final response, or None after the timeout."""
        ...


class Registration:
    """Keeps banshi registered with one registrar."""

    def __init__(self, transport: Requester, config: SipConfig) -> None:
        self.state: State = "pending"
        self.last_status = 0
        """The registrar's last final status code (0: none yet)."""
        self.expires_s = 0
        self._transport = transport
        self._config = config
        registrar = config.registrar
        if not registrar.lower().startswith("sip:"):
            registrar = f"sip:{registrar}"
        self._uri = registrar
        self._target = host_port(registrar)
        self._aor = f"sip:{config.user}@{self._target[0]}"
        self._call_id = f"{new_tag()}@banshi"
        self._tag = new_tag()
        self._cseq = random.randrange(1, 1 << 16)
        self._changed = asyncio.Event()

    async def wait_settled(self) -> State:
        """The state once the current attempt has an outcome."""
        while self.state == "pending":
            self._changed.clear()
            await self._changed.wait()
        return self.state

    async def run(self) -> None:
        """Register, refresh before expiry, retry after failures, until cancelled."""
        while True:
            await self.register(self._config.register_expires_s)
            if self.state == "registered":
                delay = max(5.0, min(self.expires_s * 0.8, self.expires_s - 30))
            elif self.state == "refused":
                delay = RETRY_REFUSED_S
            else:
                delay = RETRY_FAILED_S
            await asyncio.sleep(delay)

    async def unregister(self) -> None:
        """Remove the binding (best effort, on shutdown)."""
        if self.state == "registered":
            try:
                await asyncio.wait_for(self.register(0), 2.0)
            except asyncio.TimeoutError:
                logger.info("phone.register.unregister_timeout")

    def _message(self, expires: int, auth: tuple[str, str] | None) -> SipMessage:
        self._cseq += 1
        contact = f"<sip:{self._config.user}@{self._transport.via_host}>"
        msg = SipMessage(method="REGISTER", uri=self._uri)
        msg.headers = [
            ("Via", f"SIP/2.0/UDP {self._transport.via_host};branch={new_branch()};rport"),
            ("Max-Forwards", "70"),
            ("From", f"<{self._aor}>;tag={self._tag}"),
            ("To", f"<{self._aor}>"),
            ("Call-ID", self._call_id),
            ("CSeq", f"{self._cseq} REGISTER"),
            ("Contact", contact),
            ("Expires", str(expires)),
            ("User-Agent", "banshi"),
        ]
        if auth is not None:
            msg.headers.append(auth)
        return msg

    async def register(self, expires: int) -> State:
        """One REGISTER (answering one challenge); sets and returns :attr:`state`."""
        response = await self._transport.request(self._message(expires, None), self._target)
        if response is not None and response.status in (401, 407):
            header = "www-authenticate" if response.status == 401 else "proxy-authenticate"
            answer_to = "Authorization" if response.status == 401 else "Proxy-Authorization"
            try:
                challenge = parse_challenge(response.get(header) or "")
                value = authorization(
                    challenge,
                    method="REGISTER",
                    uri=self._uri,
                    user=self._config.user,
                    password=self._config.password,
                )
            except DigestError as error:
                logger.warning("phone.register.refused reason=%s", error)
                return self._settle("refused", response.status)
            response = await self._transport.request(
                self._message(expires, (answer_to, value)), self._target
            )
        if response is not None and response.status == 423 and expires:
            # Interval Too Brief: ask again for the registrar's minimum (RFC 3261 §10.3).
            minimum = response.get("min-expires") or ""
            if minimum.isdigit() and int(minimum) > expires:
                return await self.register(int(minimum))
        if response is None:
            logger.warning("phone.register.failed registrar=%s reason=no_answer", self._uri)
            return self._settle("failed", 0)
        if 200 <= response.status < 300:
            self.expires_s = self._granted(response, expires)
            if expires:
                logger.info(
                    "phone.register.ok registrar=%s user=%s expires_s=%s",
                    self._uri,
                    self._config.user,
                    self.expires_s,
                )
            return self._settle("registered" if expires else "pending", response.status)
        logger.warning(
            "phone.register.refused registrar=%s user=%s status=%s",
            self._uri,
            self._config.user,
            response.status,
        )
        return self._settle("refused", response.status)

    def _granted(self, response: SipMessage, asked: int) -> int:
        """The lifetime the registrar granted our Contact (its expires, else Expires)."""
        ours = f"{self._transport.via_host}"
        for contact in response.get_all("contact"):
            if ours in uri_of(contact):
                value = param(contact, "expires")
                if value and value.isdigit():
                    return int(value)
        header = response.get("expires")
        return int(header) if header and header.isdigit() else asked

    def _settle(self, state: State, status: int) -> State:
        self.state = state
        self.last_status = status
        self._changed.set()
        return state
