"""voice.endpoint: speech start and end, in audio time."""

from __future__ import annotations

import numpy as np
import pytest

from voice.audio import array_to_pcm
from voice.endpoint import EndpointConfig, EndpointState, EnergyEndpointer

RATE = 16000


def noise(seconds: float, level: float, seed: int = 0) -> bytes:
    return array_to_pcm(np.random.default_rng(seed).normal(0, level, int(RATE * seconds)))


def feed_in_chunks(endpointer: EnergyEndpointer, pcm: bytes, chunk_s: float = 0.02) -> list:
    events = []
    step = int(RATE * chunk_s) * 2
    for offset in range(0, len(pcm), step):
        events += endpointer.feed(pcm[offset : offset + step])
    return events


def test_speech_then_silence_ends_after_the_configured_silence() -> None:
    endpointer = EnergyEndpointer()
    audio = noise(0.5, 50) + noise(1.0, 3000, 1) + noise(3.0, 50, 2)
    events = feed_in_chunks(endpointer, audio)
    assert [e.kind for e in events] == ["started", "ended"]
    started, ended = events
    assert started.at_s == pytest.approx(0.5, abs=0.04)
    assert ended.reason == "silence"
    assert ended.at_s == pytest.approx(1.5 + 1.2, abs=0.04)
    assert endpointer.state is EndpointState.ENDED


def test_end_of_speech_silence_is_configurable() -> None:
    endpointer = EnergyEndpointer(EndpointConfig(end_silence_s=2.0))
    events = feed_in_chunks(endpointer, noise(0.3, 50) + noise(1.0, 3000, 1) + noise(3.0, 50, 2))
    assert events[-1].at_s == pytest.approx(1.3 + 2.0, abs=0.04)


def test_a_pause_shorter_than_the_silence_does_not_end_the_utterance() -> None:
    endpointer = EnergyEndpointer()
    audio = noise(0.8, 3000) + noise(0.9, 50, 1) + noise(0.8, 3000, 2) + noise(2.0, 50, 3)
    events = feed_in_chunks(endpointer, audio)
    assert [e.kind for e in events] == ["started", "ended"]
    assert events[-1].at_s == pytest.approx(2.5 + 1.2, abs=0.04)


def test_no_speech_times_out() -> None:
    endpointer = EnergyEndpointer(EndpointConfig(no_speech_timeout_s=2.0))
    events = feed_in_chunks(endpointer, noise(3.0, 50))
    assert [(e.kind, e.reason) for e in events] == [("ended", "no_speech")]
    assert events[0].at_s == pytest.approx(2.0, abs=0.04)


def test_threshold_follows_the_noise_floor() -> None:
    """In a noisy room (RMS 800) speech must be clearly louder than the room to count."""
    endpointer = EnergyEndpointer()
    events = feed_in_chunks(endpointer, noise(2.0, 800))
    assert events == []
    assert endpointer.threshold() >= 2000
    events = feed_in_chunks(endpointer, noise(1.0, 6000, 1) + noise(2.0, 800, 2))
    assert [e.kind for e in events] == ["started", "ended"]


def test_too_long_an_utterance_is_cut() -> None:
    endpointer = EnergyEndpointer(EndpointConfig(max_utterance_s=2.0))
    events = feed_in_chunks(endpointer, noise(0.3, 50) + noise(4.0, 3000, 1))
    assert events[-1].reason == "max_length"


def test_config_is_checked() -> None:
    with pytest.raises(ValueError):
        EndpointConfig(end_silence_s=0.0)
