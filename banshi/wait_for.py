"""Wait until PostgreSQL, Redis and RabbitMQ answer, instead of failing while they start.

``banshi wait-for postgres redis rabbitmq`` (the runner calls :func:`wait_for` before the scale
profile's processes; the Kubernetes manifests run it as each pod's init container). Each
service is asked in its own protocol whether it answers, without credentials: PostgreSQL its
SSL request (``S`` or ``N``), Redis ``PING`` (``+PONG``, or an error such as ``-NOAUTH``;
``-LOADING``, a Redis still reading its data from disk, is not up yet; a Redis with a password
answers ``-NOAUTH`` even while loading, so that case counts as up), RabbitMQ the AMQP 0-9-1
header (the ``connection.start`` frame). A port that only accepts connections does not count.
While one does not answer, a line every few seconds says which and why; at the deadline, an
error names the setting to check.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from banshi.settings import Settings, SettingsError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Protocol:
    """What to send to a service and the first bytes of an answer that means "up"."""

    send: bytes
    answers: tuple[bytes, ...]
    setting: str
    """The setting that says where it is (for the error)."""
    not_yet: tuple[bytes, ...] = ()
    """Answers of a service that runs but cannot serve yet (checked before ``answers``)."""


PROTOCOLS = {
    "postgres": Protocol(
        (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"), (b"S", b"N"), "BANSHI_POSTGRES_URL"
    ),
    # +PONG, or an error that only a running Redis sends (-NOAUTH: a password is set); while it
    # loads its data set from disk it answers every command with -LOADING (and -BUSY while a
    # script runs too long), and a lock store could not take a lock.
    "redis": Protocol(
        b"PING\r\n", (b"+", b"-"), "BANSHI_REDIS_URL", not_yet=(b"-LOADING", b"-BUSY")
    ),
    "rabbitmq": Protocol(b"AMQP\x00\x00\x09\x01", (b"\x01",), "BANSHI_RABBITMQ_URL"),
}


@dataclass(frozen=True)
class Dependency:
    """A service to wait for: its kind (a key of :data:`PROTOCOLS`) and address."""

    kind: str
    host: str
    port: int

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"


class DependencyTimeout(SettingsError):
    """A service did not answer before the deadline."""


def parse(item: str, settings: Settings) -> Dependency:
    """``postgres``, ``redis`` or ``rabbitmq`` (address from the settings), or the same with
    ``=host:port``."""
    kind, _, address = item.partition("=")
    if kind not in PROTOCOLS:
        raise SettingsError(
            f"wait-for: unknown service {kind!r}; use one of {', '.join(PROTOCOLS)}"
        )
    if address:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(f"wait-for: {item!r}: write the address as host:port")
        return Dependency(kind, host, int(port))
    url = {
        "postgres": settings.postgres_url,
        "redis": settings.redis_url,
        "rabbitmq": settings.rabbitmq_url,
    }[kind]
    parsed = urlparse(url)
    default = {"postgres": 5432, "redis": 6379, "rabbitmq": 5672}[kind]
    return Dependency(kind, parsed.hostname or "127.0.0.1", parsed.port or default)


def answers(dependency: Dependency, timeout_s: float = 2.0) -> str | None:
    """None when the service answers in its protocol, else why not (for the log)."""
    protocol = PROTOCOLS[dependency.kind]
    try:
        with socket.create_connection(
            (dependency.host, dependency.port), timeout=timeout_s
        ) as sock:
            sock.sendall(protocol.send)
            reply = sock.recv(16)
    except OSError as error:
        return type(error).__name__
    for not_yet in protocol.not_yet:
        if reply.startswith(not_yet):
            return f"not ready yet ({not_yet[1:].decode()})"
    if any(reply.startswith(answer) for answer in protocol.answers):
        return None
    return "no answer" if not reply else "unexpected answer"


def wait_for(
    dependencies: list[Dependency],
    *,
    timeout_s: float,
    log_every_s: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Return once every dependency answers (the seconds it took); raise
    :class:`DependencyTimeout` after ``timeout_s``."""
    started = time.monotonic()
    deadline = started + timeout_s
    for dependency in dependencies:
        last_log = float("-inf")
        while (why := answers(dependency)) is not None:
            now = time.monotonic()
            if now >= deadline:
                raise DependencyTimeout(
                    f"{dependency.kind} at {dependency.address} did not answer within "
                    f"{timeout_s:g} s ({why}); start it, or check "
                    f"{PROTOCOLS[dependency.kind].setting}"
                )
            if now - last_log >= log_every_s:
                logger.warning(
                    "banshi.wait_for.waiting service=%s address=%s error=%s left_s=%.0f",
                    dependency.kind,
                    dependency.address,
                    why,
                    deadline - now,
                )
                last_log = now
            sleep(min(0.5, max(0.0, deadline - now)))
    waited = time.monotonic() - started
    logger.info(
        "banshi.wait_for.ready services=%s waited_s=%.1f",
        ",".join(d.kind for d in dependencies),
        waited,
    )
    return waited
