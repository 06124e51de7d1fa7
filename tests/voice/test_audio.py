"""voice.audio: rate conversion (whole and streaming), WAV in and out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from voice.audio import (
    AudioError,
    StreamResampler,
    array_to_pcm,
    check_rate,
    pcm_to_array,
    read_wav,
    resample,
    rms,
    wav_bytes,
)


def tone(rate: int, seconds: float, hz: float = 440.0) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return array_to_pcm(8000 * np.sin(2 * np.pi * hz * t))


@pytest.mark.parametrize(
    ("src", "dst"), [(8000, 16000), (22050, 16000), (48000, 16000), (22050, 8000), (16000, 8000)]
)
def test_stream_resampler_matches_whole_buffer_conversion(src: int, dst: int) -> None:
    rng = np.random.default_rng(1)
    pcm = array_to_pcm(
        pcm_to_array(tone(src, 1.5)).astype(float) + 500 * rng.standard_normal(int(src * 1.5))
    )
    resampler = StreamResampler(src, dst)
    out = b""
    offset = 0
    while offset < len(pcm):  # chunks of odd sizes, as a browser or a phone sends them
        size = int(rng.integers(1, 1500)) * 2
        out += resampler.process(pcm[offset : offset + size])
        offset += size
    out += resampler.flush()
    divisor = np.gcd(src, dst)
    expected = pcm_to_array(
        array_to_pcm(resample_poly(pcm_to_array(pcm).astype(float), dst // divisor, src // divisor))
    )
    assert np.array_equal(pcm_to_array(out), expected)


def test_resample_keeps_duration_and_pitch() -> None:
    out = pcm_to_array(resample(tone(8000, 1.0, 300.0), 8000, 16000)).astype(float)
    assert out.size == 16000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * 16000 / out.size - 300.0) < 2


def test_wav_round_trip_and_stereo_mixdown() -> None:
    pcm = tone(16000, 0.25)
    assert read_wav(wav_bytes(pcm, 16000)) == (pcm, 16000)
    stereo = np.repeat(pcm_to_array(pcm), 2)
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(stereo.astype("<i2").tobytes())
    assert read_wav(buffer.getvalue()) == (pcm, 16000)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: read_wav(b"not a wav file"), "audio_not_wav"),
        (lambda: pcm_to_array(b"\x00\x01\x02"), "audio_odd_bytes"),
        (lambda: check_rate(12345), "audio_rate_unsupported"),
    ],
)
def test_bad_audio_is_a_coded_error(call, code: str) -> None:
    with pytest.raises(AudioError) as error:
        call()
    assert error.value.code == code


def test_rms() -> None:
    assert rms(b"") == 0.0
    assert rms(array_to_pcm(np.full(100, 1000.0))) == pytest.approx(1000.0)
