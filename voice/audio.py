"""Audio helpers: 16-bit PCM in bytes, sample-rate conversion (whole or streaming), WAV in/out.

Everything the voice engine moves around is signed 16-bit little-endian mono PCM in ``bytes``.
The recognizer wants 16 kHz; espeak-ng gives 22.05 kHz; the phone wants 8 kHz; so audio is
converted where it arrives with a polyphase FIR filter (the one ``scipy.signal.resample_poly``
designs), and :class:`StreamResampler` does the same chunk by chunk without seams.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from math import gcd

import numpy as np
from scipy.signal import firwin, resample_poly, upfirdn

RECOGNIZER_RATE = 16_000
"""Sample rate the recognizer decodes at, in Hertz."""
ESPEAK_RATE = 22_050
"""Sample rate espeak-ng synthesizes at, in Hertz."""
SUPPORTED_RATES = (8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000)
"""Input and output rates the engine converts from and to, in Hertz."""


class AudioError(ValueError):
    """Audio that cannot be used: wrong format, odd byte count, unsupported rate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AudioFormat:
    """How PCM bytes are to be read."""

    rate: int
    """Samples per second, in Hertz."""
    width: int = 2
    """Bytes per sample (only 2, signed little-endian, is used)."""
    channels: int = 1
    """Interleaved channels (only mono is used)."""

    def seconds(self, byte_count: int) -> float:
        """Duration of ``byte_count`` bytes of this format, in seconds."""
        return byte_count / (self.rate * self.width * self.channels)


def check_rate(rate: int) -> int:
    """``rate`` if the engine converts from and to it, else :class:`AudioError`."""
    if rate not in SUPPORTED_RATES:
        rates = "、".join(str(r) for r in SUPPORTED_RATES)
        raise AudioError("audio_rate_unsupported", f"不支持的采样率 {rate} Hz，可用：{rates}。")
    return rate


def pcm_to_array(pcm: bytes) -> np.ndarray:
    """16-bit PCM bytes as an int16 array (an odd trailing byte is an error)."""
    if len(pcm) % 2:
        raise AudioError("audio_odd_bytes", "音频数据不完整（字节数应为偶数）。")
    return np.frombuffer(pcm, dtype="<i2")


def array_to_pcm(samples: np.ndarray) -> bytes:
    """A float or int array as 16-bit PCM bytes, clipped to the int16 range."""
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def rms(pcm: bytes) -> float:
    """Root-mean-square level of 16-bit PCM, in sample units (0–32768)."""
    samples = pcm_to_array(pcm)
    if not samples.size:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def resample(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Whole-buffer rate conversion of 16-bit PCM (for finished clips such as a TTS sentence)."""
    if src_rate == dst_rate or not pcm:
        return pcm
    up, down = _ratio(src_rate, dst_rate)
    samples = pcm_to_array(pcm).astype(np.float32)
    return array_to_pcm(resample_poly(samples, up, down))


def _ratio(src_rate: int, dst_rate: int) -> tuple[int, int]:
    divisor = gcd(src_rate, dst_rate)
    return dst_rate // divisor, src_rate // divisor


class StreamResampler:
    """Converts a stream of 16-bit PCM chunks from ``src_rate`` to ``dst_rate`` without seams.

    Same filter as ``resample_poly`` (Kaiser-windowed sinc, ``10 × max(up, down)`` half-length),
    applied block by block with overlap-add; the filter's delay is removed, so the output lines
    up with the input. Input is processed in blocks of ``down`` samples (20 ms for 22.05 kHz →
    16 kHz); a shorter remainder waits for the next chunk or :meth:`flush`.
    """

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self.up, self.down = _ratio(src_rate, dst_rate)
        self._passthrough = self.up == self.down
        max_rate = max(self.up, self.down, 2)
        half_len = 10 * max_rate
        taps = firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * self.up
        # Pad the front so the filter's delay is a whole number of output samples.
        pad = (self.down - half_len % self.down) % self.down
        self._taps = np.concatenate([np.zeros(pad), taps]).astype(np.float64)
        self._delay = (half_len + pad) // self.down
        self._pending = np.zeros(0, dtype=np.float64)
        self._acc = np.zeros(0, dtype=np.float64)
        self._acc_start = 0  # output index of self._acc[0]
        self._consumed = 0  # input samples turned into blocks
        self._received = 0  # input samples received
        self._emitted = 0  # output samples emitted (after the delay)

    def process(self, pcm: bytes) -> bytes:
        """Convert one chunk; returns the output that is final so far (may be empty)."""
        if self._passthrough:
            return pcm
        samples = pcm_to_array(pcm).astype(np.float64)
        self._received += samples.size
        self._pending = np.concatenate([self._pending, samples])
        usable = self._pending.size // self.down * self.down
        if usable:
            self._add_block(self._pending[:usable])
            self._pending = self._pending[usable:]
        ready_until = self._consumed * self.up // self.down
        return self._emit(ready_until)

    def flush(self) -> bytes:
        """The rest of the output, as if the input were followed by silence."""
        if self._passthrough:
            return b""
        tail = len(self._taps) // self.up + 2 * self.down
        total_in = self._received
        self._pending = np.concatenate([self._pending, np.zeros(tail)])
        usable = self._pending.size // self.down * self.down
        self._add_block(self._pending[:usable])
        self._pending = np.zeros(0)
        wanted = -(-total_in * self.up // self.down)  # ceil: what resample_poly returns
        return self._emit(wanted + self._delay, limit=wanted)

    def _add_block(self, block: np.ndarray) -> None:
        out = upfirdn(self._taps, block, self.up, self.down)
        offset = self._consumed * self.up // self.down - self._acc_start
        end = offset + out.size
        if end > self._acc.size:
            self._acc = np.concatenate([self._acc, np.zeros(end - self._acc.size)])
        self._acc[offset:end] += out
        self._consumed += block.size

    def _emit(self, ready_until: int, limit: int | None = None) -> bytes:
        count = max(0, ready_until - self._acc_start)
        ready, self._acc = self._acc[:count], self._acc[count:]
        first = self._acc_start
        self._acc_start += count
        # Drop the filter delay at the very start of the stream.
        skip = max(0, self._delay - first)
        ready = ready[skip:]
        if limit is not None:
            ready = ready[: max(0, limit - self._emitted)]
        self._emitted += ready.size
        return array_to_pcm(ready)


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    """16-bit mono PCM wrapped in a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def read_wav(data: bytes) -> tuple[bytes, int]:
    """A WAV file's audio as 16-bit mono PCM and its rate; stereo is mixed down.

    Raises :class:`AudioError` (``audio_not_wav``, ``audio_format_unsupported``) for anything
    that is not 16-bit PCM WAV.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            channels, width, rate = (
                source.getnchannels(),
                source.getsampwidth(),
                source.getframerate(),
            )
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError) as error:
        raise AudioError("audio_not_wav", f"不是有效的 WAV 文件：{error}") from error
    if width != 2 or channels not in (1, 2):
        raise AudioError("audio_format_unsupported", "只支持16位PCM、单声道或双声道的 WAV 文件。")
    if channels == 2:
        stereo = pcm_to_array(frames).reshape(-1, 2).astype(np.int32)
        frames = array_to_pcm(stereo.mean(axis=1))
    return frames, rate
