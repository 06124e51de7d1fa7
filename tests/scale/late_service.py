"""A service that comes up late: a loopback port that opens only after a delay and then
forwards every connection to the real service (PostgreSQL, Redis, RabbitMQ on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tests.conftest import free_port


class LateService:
    """Listens on :attr:`port` from ``delay_s`` after :meth:`start`, forwarding to
    ``target_port``; a context manager that stops it."""

    def __init__(self, target_port: int, delay_s: float) -> None:
        self.target_port = target_port
        self.delay_s = delay_s
        self.port = free_port()
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="late-service", daemon=True)

    def __enter__(self) -> LateService:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.delay_s)
        if self._stopping.is_set():
            return
        server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        async with server:
            await self._stopping.wait()
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.close()
