"""The voice engine of one process: the shared recognizer model, the decoding threads and the
synthesizer, started and stopped together by the app that owns them (its lifespan).

The model loads in the background so that the gateway answers at once; until it is loaded (or
when there is none) :meth:`VoiceEngine.open_stream` raises :class:`VoiceUnavailable` with a
plain message, and text input keeps working.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from voice.audio import RECOGNIZER_RATE
from voice.recognizer import (
    MAX_IDLE_RECOGNIZERS,
    RecognizerConfig,
    RecognizerModel,
    RecognizerSession,
    VoiceUnavailable,
    load_model,
)
from voice.streaming import EventHandler, StreamingRecognizer
from voice.synthesizer import SynthConfig, SynthesisError, Synthesizer

logger = logging.getLogger(__name__)

WARM_UP_TEXT = "您好，我想交学费，再查一下养老金。还有老年卡怎么办理？"


@dataclass(frozen=True)
class VoiceConfig:
    """What the engine needs."""

    model_path: str = ""
    """The Kaldi model folder; empty means no voice input."""
    recognizer: RecognizerConfig = field(default_factory=RecognizerConfig)
    synth: SynthConfig = field(default_factory=SynthConfig)
    decode_threads: int = 0
    """Threads that decode audio; 0 means one per CPU core."""
    warm_recognizers: int = 2
    """Recognizers warmed up when the model has loaded (see :meth:`VoiceEngine._warm_up`)."""


class VoiceEngine:
    """Recognizer model, decoding thread pool and synthesizer for the whole process."""

    def __init__(self, config: VoiceConfig) -> None:
        self.config = config
        self.synthesizer = Synthesizer(config.synth)
        threads = config.decode_threads or os.cpu_count() or 2
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="voice-stt")
        self._model: RecognizerModel | None = None
        self._model_error: VoiceUnavailable | None = None
        self._loaded = threading.Event()

    def start(self) -> None:
        """Begin loading the model in the background and start the synthesizer.

        Raises :class:`SynthesisError` when speech output cannot start (no espeak-ng); the
        model still loads, so voice input and text keep working.
        """
        try:
            self.synthesizer.start()
        finally:
            threading.Thread(target=self._load, name="voice-model-load", daemon=True).start()

    def _load(self) -> None:
        try:
            model = load_model(self.config.model_path)
            self._warm_up(model)
            self._model = model
        except VoiceUnavailable as error:
            self._model_error = error
            logger.warning("voice.model.unavailable code=%s detail=%s", error.code, error.detail)
        finally:
            self._loaded.set()

    def _warm_up(self, model: RecognizerModel) -> None:
        """Decode a few seconds of our own synthesized speech with as many recognizers as there
        are decoding threads, so the first callers do not pay for composing the graph."""
        count = min(self.config.warm_recognizers, MAX_IDLE_RECOGNIZERS)
        if not count:
            return
        started = time.perf_counter()
        try:
            audio = self.synthesizer.synthesize_blocking(WARM_UP_TEXT, sample_rate=RECOGNIZER_RATE)
        except SynthesisError:
            return  # no speech output: the first utterances will be slower, nothing else
        recognizers = [model.acquire() for _ in range(count)]
        for recognizer in recognizers:
            for offset in range(0, len(audio), 3200):
                recognizer.AcceptWaveform(audio[offset : offset + 3200])
            recognizer.FinalResult()
        for recognizer in recognizers:
            model.release(recognizer, decoded_s=len(audio) / (2 * RECOGNIZER_RATE))
        logger.info(
            "voice.model.warmed recognizers=%d seconds=%.2f", count, time.perf_counter() - started
        )

    def close(self) -> None:
        """Stop the synthesizer and the decoding threads."""
        self.synthesizer.close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def input_status(self) -> tuple[str, str]:
        """``("ready"|"loading"|"unavailable", message for the user)``."""
        if not self._loaded.is_set():
            return "loading", "语音识别正在准备，请稍等，也可以先用文字。"
        if self._model is None:
            error = self._model_error
            return "unavailable", error.message if error else "语音输入暂时不能用。"
        return "ready", ""

    async def model(self, timeout_s: float = 60.0) -> RecognizerModel:
        """The loaded model (waits for the background load); :class:`VoiceUnavailable` if none."""
        loaded = await asyncio.to_thread(self._loaded.wait, timeout_s)
        if not loaded:
            raise VoiceUnavailable("voice_model_loading", "the model is still loading")
        if self._model is None:
            raise self._model_error or VoiceUnavailable("voice_model_missing", "no model")
        return self._model

    async def open_stream(
        self, on_event: EventHandler, *, input_rate: int = RECOGNIZER_RATE
    ) -> StreamingRecognizer:
        """A streaming recognizer for one conversation."""
        model = await self.model()
        session = RecognizerSession(model, self.config.recognizer, input_rate=input_rate)
        return StreamingRecognizer(session, self.executor, on_event)
