"""The kiosk's configuration (part of the gateway's, built by ``banshi.apps``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KioskConfig:
    """Kiosk settings; units in the names."""

    vosk_model_path: str = ""
    """Kaldi model folder for speech input; empty turns voice input off (text still works)."""
    idle_s: float = 90.0
    """No touch, key or speech for this long shows and speaks the "are you still there" warning."""
    warning_s: float = 30.0
    """Time the warning gives to continue before the screen is reset (K6: at least 20 s)."""
    speech_rate_cpm: int = 190
    """Speech rate, Chinese characters per minute (V9: 180–200)."""
    slow_speech_rate_cpm: int = 160
    """Rate after "说慢点" or the 慢速 button."""
    end_of_speech_s: float = 1.2
    """Silence that ends an utterance (V4)."""
    answer_settle_s: float = 0.3
    """Quiet that ends an utterance whose words are a complete expected answer (an ID with a
    valid checksum, a phone number, 对, a button; ``voice.expect``) instead of the whole
    end-of-speech silence."""
    no_input_s: float = 8.0
    """Listening with nothing said ends after this long (V3)."""
    playback_rate_hz: int = 22050
    """Sample rate of the speech sent to the browser."""
    district: str = ""
    """The district of the agency point the kiosk stands in: sent with every turn as the
    server-side ``agency_district``, so that its handoffs go to that district's staff."""

    def __post_init__(self) -> None:
        if self.idle_s <= 0 or self.warning_s <= 0:
            raise ValueError("kiosk idle_s and warning_s must be positive")
        if not 150 <= self.slow_speech_rate_cpm <= self.speech_rate_cpm <= 240:
            raise ValueError("kiosk speech rates must be 150–240 and slow ≤ normal")
        if not 0.1 <= self.answer_settle_s <= self.end_of_speech_s:
            raise ValueError(
                "BANSHI_ANSWER_SETTLE_S must be at least 0.1 s and at most the end-of-speech "
                "silence (BANSHI_END_OF_SPEECH_S)"
            )
