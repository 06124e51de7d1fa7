"""A recognizer session for async code: audio is pushed without blocking, Kaldi decodes in a
thread pool, and events come back to a coroutine.

One :class:`StreamingRecognizer` per conversation. Chunks that arrive while the previous ones
are being decoded are joined and decoded together, so a slow machine falls behind by a bounded
amount instead of queueing work without end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor
from typing import TypeVar

from voice.events import EndReason, RecognizerEvent, Transcript
from voice.expect import Expectation
from voice.recognizer import RecognizerSession
from voice.transcript import FieldKind

logger = logging.getLogger(__name__)

T = TypeVar("T")
EventHandler = Callable[[RecognizerEvent], Awaitable[None]]
MAX_BACKLOG_S = 10.0
"""Audio waiting to be decoded beyond this many seconds is dropped (and logged)."""


class StreamingRecognizer:
    """Listens on one stream; ``on_event`` gets speech-started, partial and final events."""

    def __init__(
        self, session: RecognizerSession, executor: Executor, on_event: EventHandler
    ) -> None:
        self.session = session
        self.executor = executor
        self.on_event = on_event
        self.listening = False
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def start(
        self,
        *,
        kind: FieldKind = FieldKind.FREE,
        hints: Iterable[str] = (),
        input_rate: int | None = None,
        expect: Expectation | None = None,
    ) -> None:
        """Listen for a new utterance (drops audio left from the previous one); ``expect``,
        the answer the question expects, lets a complete answer end it early."""
        async with self._lock:
            self._pending.clear()
            self._pending_bytes = 0
            phrases = list(hints)
            await self._run(
                lambda: self.session.start(
                    kind=kind, hints=phrases, input_rate=input_rate, expect=expect
                )
            )
            self.listening = True
        if self._task is None:
            self._task = asyncio.create_task(self._consume(), name="voice.recognizer")

    def push(self, pcm: bytes) -> None:
        """Queue a chunk of PCM (ignored when not listening). Never blocks."""
        if not self.listening or self._closed or not pcm:
            return
        self._pending.append(pcm)
        self._pending_bytes += len(pcm)
        limit = int(MAX_BACKLOG_S * self.session.input_rate * 2)
        while self._pending_bytes > limit and len(self._pending) > 1:
            self._pending_bytes -= len(self._pending.pop(0))
            logger.warning("voice.recognizer.backlog_dropped")
        self._wake.set()

    async def stop(self, reason: EndReason = EndReason.STOPPED) -> Transcript | None:
        """End the utterance now: decode what is queued, then the final result (sent to
        ``on_event`` too). ``None`` when not listening."""
        async with self._lock:
            if not self.listening:
                return None
            events = await self._decode_pending()
            if not self.session.ended:
                events.append(await self._run(lambda: self.session.finish(reason)))
            self.listening = False
        for event in events:
            await self.on_event(event)
        return next((e for e in events if isinstance(e, Transcript)), None)

    async def cancel(self) -> None:
        """Stop listening and forget the utterance."""
        async with self._lock:
            self.listening = False
            self._pending.clear()
            self._pending_bytes = 0

    async def close(self) -> None:
        """Stop the consumer task."""
        self._closed = True
        self.listening = False
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, call)

    async def _decode_pending(self) -> list[RecognizerEvent]:
        if not self._pending:
            return []
        audio = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        return await self._run(lambda: self.session.accept(audio))

    async def _consume(self) -> None:
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            async with self._lock:
                if not self.listening:
                    continue
                events = await self._decode_pending()
                if any(isinstance(event, Transcript) for event in events):
                    self.listening = False
                    self._pending.clear()
                    self._pending_bytes = 0
            for event in events:
                try:
                    await self.on_event(event)
                except Exception:
                    logger.exception("voice.recognizer.handler_failed")
