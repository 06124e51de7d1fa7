"""End-of-speech detection from frame energy, measured in audio time.

Vosk's own endpointer (``model.conf``) closes a segment after 0.5 s of silence, which cuts
older speakers off mid-sentence. This detector decides when an utterance is over instead:
speech starts after a few loud frames and ends after ``end_silence_s`` of quiet (1.2 s by
default, ACCESSIBILITY.md V4). The loudness threshold follows the room's noise floor.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from voice.audio import RECOGNIZER_RATE, pcm_to_array


@dataclass(frozen=True)
class EndpointConfig:
    """Timings in seconds of audio; levels in RMS sample units (0–32768)."""

    end_silence_s: float = 1.2
    """Quiet after speech that ends the utterance."""
    no_speech_timeout_s: float = 8.0
    """Quiet from the start after which the utterance ends with nothing said."""
    max_utterance_s: float = 20.0
    """Longest utterance, from the start of speech."""
    min_speech_rms: float = 400.0
    """A frame quieter than this is never speech."""
    noise_ratio: float = 3.0
    """A frame must be this many times louder than the noise floor to count as speech (the
    floor is the quietest recent frame)."""
    start_frames: int = 3
    """Consecutive loud frames that start speech (3 × 30 ms)."""
    frame_s: float = 0.03
    """Analysis frame length."""

    def __post_init__(self) -> None:
        if not 0.3 <= self.end_silence_s <= 10:
            raise ValueError("end_silence_s must be between 0.3 and 10 seconds")
        if self.no_speech_timeout_s <= 0 or self.max_utterance_s <= 0:
            raise ValueError("timeouts must be positive")


class EndpointState(str, enum.Enum):
    """Where the detector is in the utterance."""

    WAITING = "waiting"
    SPEAKING = "speaking"
    ENDED = "ended"


@dataclass(frozen=True)
class EndpointEvent:
    """A change found in the audio: ``started`` or ``ended`` (with a reason), at a time."""

    kind: str
    at_s: float
    reason: str = ""


class EnergyEndpointer:
    """Feeds on 16 kHz PCM and reports when speech starts and when the utterance is over."""

    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        self.frame_len = round(RECOGNIZER_RATE * self.config.frame_s)
        self.state = EndpointState.WAITING
        self.speech_start_s: float | None = None
        self.speech_end_s: float | None = None
        self._carry = np.zeros(0, dtype=np.int16)
        self._frames = 0
        self._loud_run = 0
        self._quiet_run = 0
        self._noise: float | None = None

    @property
    def time_s(self) -> float:
        """Audio analysed so far, in seconds."""
        return self._frames * self.config.frame_s

    def threshold(self) -> float:
        """The current loudness a frame needs to count as speech."""
        noise = self._noise or 0.0
        return max(self.config.min_speech_rms, noise * self.config.noise_ratio)

    def feed(self, pcm: bytes) -> list[EndpointEvent]:
        """Analyse 16 kHz PCM; returns what changed (nothing once the utterance has ended)."""
        samples = np.concatenate([self._carry, pcm_to_array(pcm)])
        whole = samples.size // self.frame_len * self.frame_len
        self._carry = samples[whole:].copy()
        events: list[EndpointEvent] = []
        if not whole:
            return events
        frames = samples[:whole].astype(np.float64).reshape(-1, self.frame_len)
        levels = np.sqrt(np.mean(frames**2, axis=1))
        for level in levels:
            if self.state is EndpointState.ENDED:
                break
            event = self._frame(float(level))
            if event:
                events.append(event)
        return events

    def _frame(self, level: float) -> EndpointEvent | None:
        config = self.config
        self._frames += 1
        now = self.time_s
        if self._noise is None:
            self._noise = level  # the first frame tells the room's level
        loud = level >= self.threshold()
        # The floor falls at once to a quieter frame and rises slowly (≈ 16 % a second), so
        # speech from the first frame on does not become "the room".
        self._noise = level if level < self._noise else min(level, self._noise * 1.005)
        if self.state is EndpointState.WAITING:
            self._loud_run = self._loud_run + 1 if loud else 0
            if self._loud_run >= config.start_frames:
                self.state = EndpointState.SPEAKING
                self.speech_start_s = now - config.start_frames * config.frame_s
                self.speech_end_s = now
                return EndpointEvent("started", self.speech_start_s)
            if now >= config.no_speech_timeout_s:
                self.state = EndpointState.ENDED
                return EndpointEvent("ended", now, "no_speech")
            return None
        # SPEAKING
        if loud:
            self._quiet_run = 0
            self.speech_end_s = now
        else:
            self._quiet_run += 1
        if self._quiet_run * config.frame_s >= config.end_silence_s:
            self.state = EndpointState.ENDED
            return EndpointEvent("ended", now, "silence")
        if self.speech_start_s is not None and now - self.speech_start_s >= config.max_utterance_s:
            self.state = EndpointState.ENDED
            return EndpointEvent("ended", now, "max_length")
        return None
