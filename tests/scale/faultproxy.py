"""A TCP proxy that plays a service going down and coming back, for the fault tests.

PostgreSQL, Redis and RabbitMQ on this machine are shared with other work and must never be
stopped. The processes under test reach them through one :class:`FaultProxy` each instead:
:meth:`FaultProxy.cut` closes every open connection (both sides, at once) and refuses new ones,
as a service that crashed or restarts does from its clients' point of view; :meth:`FaultProxy.
restore` accepts connections again, as the service back up. What the clients do meanwhile —
reconnect, buffer, give up — is what the tests look at.

The proxy runs its own asyncio loop in a daemon thread, so synchronous tests can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

_CHUNK = 64 * 1024


class FaultProxy:
    """A proxy on 127.0.0.1 (a free port) to ``upstream`` (``host``, ``port``)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.cut_active = False
        self.stats = {"accepted": 0, "refused": 0, "cut": 0}
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @classmethod
    def for_url(cls, url: str) -> FaultProxy:
        """A proxy to the service of ``url`` (its default port when the URL names none)."""
        parsed = urlparse(url)
        default = {"postgresql": 5432, "redis": 6379, "amqp": 5672}.get(parsed.scheme, 0)
        return cls(parsed.hostname or "127.0.0.1", parsed.port or default)

    def url(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's (user, password, path kept)."""
        parsed = urlparse(url)
        credentials = parsed.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunparse(parsed._replace(netloc=netloc))

    # ------------------------------------------------------------------ life
    def start(self) -> FaultProxy:
        """Listen (on a free port, kept through cuts) and return self."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    def close(self) -> None:
        """Stop listening, close every connection and the loop's thread."""
        self._call(self._stop_all(close_server=True))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def cut(self) -> None:
        """The service goes away: every open connection is closed, new ones are refused."""
        self.cut_active = True
        self._call(self._stop_all(close_server=False))
        self.stats["cut"] += 1

    def restore(self) -> None:
        """The service is back: connections are accepted again."""
        self.cut_active = False

    @contextmanager
    def down(self) -> Iterator[None]:
        """Cut for the block, restore after it (also when it fails)."""
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def open_connections(self) -> int:
        """Client connections open through the proxy now."""
        return len(self._writers) // 2

    # ------------------------------------------------------------------ inside the loop
    def _call(self, coroutine: object) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        self._server = await asyncio.start_server(self._serve, sock=sock)

    async def _stop_all(self, *, close_server: bool) -> None:
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                transport = writer.transport
                # An abort (RST) is what a killed service's clients see, without a polite FIN.
                transport.abort()
        self._writers.clear()
        if close_server and self._server is not None:
            self._server.close()

    async def _serve(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        if self.cut_active:
            self.stats["refused"] += 1
            client.transport.abort()
            return
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            client.transport.abort()
            return
        if self.cut_active:  # cut while connecting
            client.transport.abort()
            upstream.transport.abort()
            return
        self.stats["accepted"] += 1
        self._writers.update((client, upstream))
        await asyncio.gather(
            self._pipe(client_reader, upstream), self._pipe(upstream_reader, client)
        )
        for writer in (client, upstream):
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, RuntimeError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()
