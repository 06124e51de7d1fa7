"""The messages of the speech pipeline: small dataclasses with a JSON wire form.

Times are seconds of audio from the start of the stream (not wall-clock time), so results do
not depend on how fast the machine decodes. Raw audio never travels inside these messages.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class EndReason(str, enum.Enum):
    """Why an utterance ended."""

    SILENCE = "silence"
    """Speech was followed by the configured end-of-speech silence."""
    COMPLETE = "complete"
    """The words heard were a complete answer to what the question expects (``voice.expect``),
    followed by the short settle time instead of the whole end-of-speech silence."""
    STABLE = "stable"
    """The recognized words stopped changing for a while although the room stayed noisy."""
    STOPPED = "stopped"
    """The client said the utterance is over (press-to-talk released)."""
    MAX_LENGTH = "max_length"
    """The utterance reached the longest allowed duration."""
    NO_SPEECH = "no_speech"
    """Nothing was said before the no-input timeout."""


@dataclass(frozen=True)
class Word:
    """One recognized word."""

    word: str
    start_s: float
    """Start, in seconds of audio from the start of the stream."""
    end_s: float
    """End, in seconds of audio from the start of the stream."""
    conf: float
    """Posterior confidence, 0–1."""

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "word": self.word,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "conf": round(self.conf, 3),
        }


@dataclass(frozen=True)
class SpeechStarted:
    """The energy detector heard speech begin (used for barge-in)."""

    at_s: float
    """Start of speech, in seconds of audio from the start of the stream."""

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": "speech_started", "at_s": round(self.at_s, 3)}


@dataclass(frozen=True)
class Partial:
    """The words recognized so far in the current utterance (may still change)."""

    text: str

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": "partial", "text": self.text}


@dataclass(frozen=True)
class Transcript:
    """The final result of one utterance."""

    text: str
    """Cleaned text for the dialogue: spaces between Chinese words removed, digits normalised
    for digit fields."""
    raw_text: str
    """What the recognizer said, words separated by spaces."""
    reason: EndReason
    words: tuple[Word, ...] = ()
    speech_start_s: float | None = None
    """Where speech began, in seconds of audio (``None`` when nothing was heard)."""
    speech_end_s: float | None = None
    """Where the last voiced frame ended, in seconds of audio."""
    endpoint_s: float = 0.0
    """Where the utterance was declared over, in seconds of audio."""
    timing: dict[str, float] = field(default_factory=dict)
    """Processing figures: ``audio_s`` heard, ``decode_s`` spent decoding (thread CPU time)."""

    @property
    def confidence(self) -> float:
        """Mean word confidence, 0 when no words."""
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "type": "transcript",
            "text": self.text,
            "raw_text": self.raw_text,
            "reason": self.reason.value,
            "confidence": round(self.confidence, 3),
            "words": [w.to_json() for w in self.words],
            "speech_start_s": _round(self.speech_start_s),
            "speech_end_s": _round(self.speech_end_s),
            "endpoint_s": round(self.endpoint_s, 3),
            "timing": {k: round(v, 4) for k, v in self.timing.items()},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


RecognizerEvent = SpeechStarted | Partial | Transcript
