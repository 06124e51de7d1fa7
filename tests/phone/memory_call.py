"""An in-memory call: the stand-in for the SIP transport in the call session tests.

It is not a fake of our own components: the session, the conversation core, Rasa, the actions,
the recognizer and the synthesizer are all real. What it replaces is the network between a
caller's phone and the SIP user agent: the caller's audio (8 kHz, 20 ms frames, paced in real
time, silence when nothing is said, as the user agent gives it), their keys and their hang-up
go in; what the session plays comes out, collected. The real-SIP tests drive the same session
through the user agent with baresip as the caller.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from channels.phone.media import FRAME_BYTES, FRAME_MS, CallEvent, Hangup, Key, TransferResult

SILENT_FRAME = bytes(FRAME_BYTES)


@dataclass
class Played:
    """One piece of audio the session played, and whether it was played to the end."""

    pcm: bytes
    completed: bool


@dataclass
class MemoryCall:
    """A :class:`channels.phone.media.Call` held in memory, driven from the test's thread.

    Audio out is taken as sent, without waiting in real time (``play_speed`` 0), so a test does
    not wait for speech it has no use for; ``play_speed`` 1 paces it as a phone line would.
    """

    loop: asyncio.AbstractEventLoop
    caller: str = "13912345678"
    call_id: str = "memory-call-1"
    play_speed: float = 0.0
    played: list[Played] = field(default_factory=list)
    started: int = 0
    """Pieces whose playing has begun."""
    started_at: list[float] = field(default_factory=list)
    """When each piece began (``time.perf_counter``), for the benchmark."""
    last_frame_at: float = 0.0
    """When the last frame of the caller's queued speech went to the session."""
    transfer_result: TransferResult = TransferResult.DONE
    """What a transfer to a staff number comes to (the caller's phone and the PBX decide)."""
    transfers: list[str] = field(default_factory=list)
    """The staff numbers the session transferred the call to."""
    played_before_transfer: int = 0
    """Pieces played when the (last) transfer began."""
    _frames: asyncio.Queue[bytes] = field(init=False)
    _events: asyncio.Queue[CallEvent] = field(init=False)
    _stop: asyncio.Event = field(init=False)
    _ended: bool = False
    _queued: int = 0
    _taken: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        async def make() -> None:
            self._frames = asyncio.Queue()
            self._events = asyncio.Queue()
            self._stop = asyncio.Event()

        asyncio.run_coroutine_threadsafe(make(), self.loop).result(timeout=5)

    # ------------------------------------------------------------------ the Call protocol
    async def audio(self) -> AsyncIterator[bytes]:
        """The caller's audio, one frame every 20 ms (silence when nothing is queued)."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while not self._ended:
            try:
                frame = self._frames.get_nowait()
                with self._changed:
                    self._taken += 1
                    self.last_frame_at = time.perf_counter()
                    self._changed.notify_all()
            except asyncio.QueueEmpty:
                frame = SILENT_FRAME
            yield frame
            next_at += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def events(self) -> AsyncIterator[CallEvent]:
        """Keys, then the hang-up."""
        while True:
            event = await self._events.get()
            yield event
            if isinstance(event, Hangup):
                return

    async def play(self, pcm: bytes) -> bool:
        """Collect ``pcm``; False when stopped or the call is over."""
        if self._ended:
            return False
        self._stop.clear()
        with self._changed:
            self.started += 1
            self.started_at.append(time.perf_counter())
            self._changed.notify_all()
        completed = True
        if self.play_speed > 0:
            seconds = len(pcm) / 2 / 8000 / self.play_speed
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=seconds)
                completed = False
            except asyncio.TimeoutError:
                pass
        with self._changed:
            self.played.append(Played(pcm, completed))
            self._changed.notify_all()
        return completed and not self._ended

    def stop_playing(self) -> None:
        """Barge-in."""
        self._stop.set()

    async def hang_up(self) -> None:
        """Our side ends the call."""
        if not self._ended:
            self._ended = True
            self._events.put_nowait(Hangup("local"))
            with self._changed:
                self._changed.notify_all()

    async def transfer(self, target: str) -> TransferResult:
        """A transfer (REFER) to ``target``: :attr:`transfer_result`."""
        with self._changed:
            self.transfers.append(target)
            self.played_before_transfer = len(self.played)
            self._changed.notify_all()
        return TransferResult.ENDED if self._ended else self.transfer_result

    @property
    def ended(self) -> bool:
        """Whether the call is over."""
        return self._ended

    # ------------------------------------------------------------------ the caller (test thread)
    def say(self, pcm_8k: bytes) -> None:
        """Queue the caller's speech (8 kHz 16-bit PCM), frame by frame."""
        frames = [pcm_8k[i : i + FRAME_BYTES] for i in range(0, len(pcm_8k), FRAME_BYTES)]
        frames[-1] = frames[-1].ljust(FRAME_BYTES, b"\0")

        with self._changed:
            self._queued += len(frames)

        def queue() -> None:
            for frame in frames:
                self._frames.put_nowait(frame)

        self.loop.call_soon_threadsafe(queue)

    def wait_said(self, timeout_s: float = 30) -> None:
        """Block until everything :meth:`say` queued has gone to the session."""
        with self._changed:
            assert self._changed.wait_for(lambda: self._taken >= self._queued, timeout=timeout_s)

    def press(self, keys: str) -> None:
        """Press keys, in order."""

        def queue() -> None:
            for key in keys:
                self._events.put_nowait(Key(key))

        self.loop.call_soon_threadsafe(queue)

    def caller_hangs_up(self) -> None:
        """The caller puts the phone down."""

        def end() -> None:
            self._ended = True
            self._events.put_nowait(Hangup("bye"))

        self.loop.call_soon_threadsafe(end)

    def wait_until(self, check: Callable[[MemoryCall], bool], timeout_s: float = 60) -> None:
        """Block the test until ``check`` holds (re-checked whenever audio is played)."""
        with self._changed:
            assert self._changed.wait_for(lambda: check(self), timeout=timeout_s), (
                f"not reached in {timeout_s} s; played {len(self.played)} pieces"
            )

    def audio_bytes(self, start: int = 0) -> bytes:
        """Everything played from piece ``start`` on."""
        with self._changed:
            return b"".join(p.pcm for p in self.played[start:])
