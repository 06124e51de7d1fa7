"""The caller's volume (``channels.phone.volume``): what asks for it, and louder speech that
never clips."""

from __future__ import annotations

import audioop

import numpy as np
import pytest

from channels.phone.volume import (
    CEILING,
    LOUDER,
    MAX_LEVEL,
    MIN_LEVEL,
    QUIETER,
    at_level,
    volume_request,
)


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        ("大声点", LOUDER),
        ("声音大一点", LOUDER),
        ("请大声一点吧", LOUDER),
        ("声音太小了", LOUDER),
        ("大 声 点。", LOUDER),
        ("大点声", LOUDER),
        ("小声点", QUIETER),
        ("声音小一点", QUIETER),
        ("声音太大了", QUIETER),
        ("小点声儿", QUIETER),
        ("大声点我要交学费", ""),
        ("说慢点", ""),
        ("声音", ""),
        ("交水电燃气费", ""),
    ],
)
def test_only_a_whole_request_changes_the_volume(said: str, wanted: str) -> None:
    assert volume_request(said) == wanted


def speech_like(seconds: float = 1.0) -> bytes:
    """Peaky audio like synthesized speech: Laplace-distributed samples at espeak-ng's RMS
    (about 3,700 of 32,767) with peaks towards full scale."""
    rng = np.random.default_rng(7)
    samples = rng.laplace(0, 3700 / np.sqrt(2), int(8000 * seconds))
    samples[::800] = 31000  # a few full peaks, as espeak-ng's output has
    return bytes(np.clip(samples, -31000, 31000).astype("<i2").tobytes())


def test_louder_raises_the_rms_and_never_reaches_full_scale() -> None:
    pcm = speech_like()
    base = audioop.rms(pcm, 2)
    previous = base
    for level in range(1, MAX_LEVEL + 1):
        louder = at_level(pcm, level)
        assert len(louder) == len(pcm)
        rms = audioop.rms(louder, 2)
        assert rms > previous * 1.1, (level, rms, previous)
        assert audioop.max(louder, 2) < CEILING  # bent below full scale: nothing clipped
        previous = rms
    assert previous > 2 * base  # the loudest level is clearly louder (espeak-ng: 2.35 times)


def test_quieter_scales_down_and_level_zero_is_untouched() -> None:
    pcm = speech_like()
    assert at_level(pcm, 0) == pcm
    quietest = at_level(pcm, MIN_LEVEL)
    assert audioop.rms(quietest, 2) == pytest.approx(audioop.rms(pcm, 2) * 0.5, rel=0.02)
    assert at_level(b"", 2) == b""
