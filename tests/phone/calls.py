"""A test session for the SIP user agent: it plays a tone and records what the caller did."""

from __future__ import annotations

import asyncio
import audioop
import math
import struct
import wave
from dataclasses import dataclass, field
from pathlib import Path

from channels.phone.media import FRAME_BYTES, PHONE_RATE, Call, Hangup, Key

LOUD_RMS = 500
"""A 20 ms frame louder than this (16-bit RMS) is sound, not silence."""


def tone(seconds: float, hertz: float = 600.0, amplitude: int = 8000) -> bytes:
    """A sine tone as 8 kHz 16-bit PCM."""
    count = int(seconds * PHONE_RATE)
    return b"".join(
        struct.pack("<h", int(amplitude * math.sin(2 * math.pi * hertz * i / PHONE_RATE)))
        for i in range(count)
    )


def write_wav(path: Path, pcm: bytes) -> Path:
    """``pcm`` (8 kHz 16-bit mono) as a WAV file at ``path``."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PHONE_RATE)
        wav.writeframes(pcm)
    return path


def loud_frames(pcm: bytes) -> int:
    """How many 20 ms frames of ``pcm`` are sound."""
    return sum(
        1
        for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)
        if audioop.rms(pcm[i : i + FRAME_BYTES], 2) > LOUD_RMS
    )


@dataclass
class Record:
    """What one call's session saw."""

    call: Call
    keys: list[str] = field(default_factory=list)
    hangup: Hangup | None = None
    frames: int = 0
    loud: int = 0
    played: bool | None = None
    key_arrived: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    played_event: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Recorder:
    """An ``on_call`` that plays ``greeting`` (then, with ``hang_up``, ends the call) and
    records keys, the hang-up and the audio heard, until the call ends."""

    def __init__(self, greeting: bytes, *, hang_up: bool = False) -> None:
        self.greeting = greeting
        self.hang_up = hang_up
        self.records: list[Record] = []
        self.started: asyncio.Queue[Record] = asyncio.Queue()

    async def __call__(self, call: Call) -> None:
        record = Record(call)
        self.records.append(record)
        self.started.put_nowait(record)

        async def listen() -> None:
            async for frame in call.audio():
                record.frames += 1
                record.loud += loud_frames(frame)

        async def keys() -> None:
            async for event in call.events():
                if isinstance(event, Key):
                    record.keys.append(event.key)
                    record.key_arrived.put_nowait(event.key)
                else:
                    record.hangup = event

        listening = asyncio.ensure_future(listen())
        watching = asyncio.ensure_future(keys())
        record.played = await call.play(self.greeting)
        record.played_event.set()
        if self.hang_up:
            await call.hang_up()
        await watching
        await listening
        record.done.set()

    async def next_call(self, timeout: float = 10.0) -> Record:
        """The next call that reached the session."""
        return await asyncio.wait_for(self.started.get(), timeout)
