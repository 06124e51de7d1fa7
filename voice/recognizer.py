"""Speech recognition with Vosk: one model per process, one streaming session per conversation.

:func:`load_model` loads a Kaldi model folder once and shares it (Vosk models are read-only and
thread-safe); :class:`RecognizerSession` is one caller's stream. Its methods block (Kaldi
decodes in the calling thread), so async code runs them through ``voice.streaming``.

A session takes 16-bit mono PCM at any supported rate, converts it to 16 kHz on arrival,
waits for the energy detector to hear speech (silence is not decoded, which saves most of the
CPU in hands-free use), decodes from a short pre-roll before the onset, and ends the utterance
after the configured silence — or, when the question expects an exact answer (``voice.expect``)
and the words heard so far are a complete one, after a short settle time. Phrase hints become
a Vosk grammar when the model has a dynamic graph (``graph/HCLr.fst`` and ``graph/Gr.fst``)
and the hinted words are in its vocabulary; otherwise recognition is free.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.audio import RECOGNIZER_RATE, StreamResampler, check_rate
from voice.endpoint import EndpointConfig, EndpointState, EnergyEndpointer
from voice.events import EndReason, Partial, RecognizerEvent, SpeechStarted, Transcript, Word
from voice.expect import Expectation
from voice.transcript import FieldKind, clean_transcript

logger = logging.getLogger(__name__)

MAX_IDLE_RECOGNIZERS = 4
"""Warm free-speech recognizers kept for reuse (about 45 MB each with the Korean model)."""
NO_MODEL_MESSAGE = "语音输入暂时不能用，请用文字或点按钮，也可以按“人工”找工作人员。"


class VoiceUnavailable(RuntimeError):
    """Speech recognition cannot run: no model configured, or the model does not load.

    ``code`` is for the operator's logs; ``message`` is plain Chinese for the user.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.message = NO_MODEL_MESSAGE


@dataclass(frozen=True)
class RecognizerConfig:
    """How sessions listen."""

    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    preroll_s: float = 0.4
    """Audio kept from before the detected onset and decoded with it, in seconds."""
    partial_every_s: float = 0.3
    """How often a partial result is produced while speaking, in seconds of audio."""
    stable_after_s: float = 2.5
    """End the utterance when the recognized words have not changed for this long although
    the room never went quiet (must exceed the end-of-speech silence)."""
    settle_s: float = 0.3
    """Quiet after the last voiced frame that ends the utterance when the words heard are a
    complete expected answer (an ID with a valid checksum, a phone number, 对, a button), in
    seconds; shorter than the end-of-speech silence, long enough for "是" to become "是的"."""
    check_every_s: float = 0.1
    """While quiet and past the settle time, how often the words are checked again."""

    def __post_init__(self) -> None:
        if not 0.1 <= self.settle_s <= self.endpoint.end_silence_s:
            raise ValueError("settle_s must be between 0.1 s and the end-of-speech silence")


class RecognizerModel:
    """A loaded Vosk model and what it can do."""

    def __init__(self, path: Path) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        started = time.perf_counter()
        self.path = path
        self.model = vosk.Model(str(path))
        self.load_s = time.perf_counter() - started
        graph = path / "graph"
        self.supports_grammar = (graph / "HCLr.fst").exists() and (graph / "Gr.fst").exists()
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()
        self._decoded_s: dict[int, float] = {}
        """Seconds of audio each pooled recognizer has decoded: Kaldi's word times count from
        a recognizer's first audio, not from the utterance's."""
        logger.info(
            "voice.model.loaded path=%s load_s=%.2f grammar=%s",
            path,
            self.load_s,
            self.supports_grammar,
        )

    def acquire(self, grammar: list[str] | None = None) -> Any:
        """A Kaldi recognizer for one utterance; give it back with :meth:`release`.

        Free-speech recognizers are pooled: a recognizer composes its decoding graph lazily and
        keeps what it composed, so a warm one decodes several times faster than a new one (with
        the Korean test model, 1.2 s of CPU is spent in the first half second of a new one).
        Grammar recognizers are small and made fresh.
        """
        import vosk

        if grammar:
            recognizer = vosk.KaldiRecognizer(
                self.model, RECOGNIZER_RATE, json.dumps(grammar, ensure_ascii=False)
            )
        else:
            with self._idle_lock:
                recognizer = self._idle.pop() if self._idle else None
            if recognizer is None:
                recognizer = vosk.KaldiRecognizer(self.model, RECOGNIZER_RATE)
                with self._idle_lock:
                    self._decoded_s[id(recognizer)] = 0.0
        recognizer.SetWords(True)
        return recognizer

    def decoded_s(self, recognizer: Any) -> float:
        """Seconds of audio ``recognizer`` decoded before its current utterance (the offset
        of its word times)."""
        with self._idle_lock:
            return self._decoded_s.get(id(recognizer), 0.0)

    def release(
        self, recognizer: Any, grammar: list[str] | None = None, *, decoded_s: float = 0.0
    ) -> None:
        """Return a recognizer whose utterance is finished (its final result taken), after
        ``decoded_s`` seconds of audio in that utterance."""
        if grammar:
            return
        with self._idle_lock:
            if len(self._idle) < MAX_IDLE_RECOGNIZERS:
                key = id(recognizer)
                self._decoded_s[key] = self._decoded_s.get(key, 0.0) + decoded_s
                self._idle.append(recognizer)
            else:
                self._decoded_s.pop(id(recognizer), None)

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the model's vocabulary."""
        return bool(word) and self.model.vosk_model_find_word(word) >= 0

    def grammar(self, phrases: Iterable[str]) -> list[str] | None:
        """A Vosk grammar for ``phrases``, keeping those whose words the model knows.

        A phrase is kept whole if the vocabulary has it, else a Chinese phrase is split into
        characters when each is known (Chinese models list many single characters). ``None``
        when the model cannot take a grammar or none of the phrases is usable: then
        recognition is free.
        """
        if not self.supports_grammar:
            return None
        usable: list[str] = []
        for phrase in phrases:
            words = phrase.split()
            if all(self.knows(word) for word in words):
                usable.append(" ".join(words))
            elif len(words) == 1 and all(_is_han(c) and self.knows(c) for c in phrase):
                usable.append(" ".join(phrase))
        if not usable:
            return None
        # "[unk]" lets out-of-grammar speech come out as unknown instead of a forced match.
        unknown = ["[unk]"] if self.knows("[unk]") else []
        return [*dict.fromkeys(usable), *unknown]


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


_models: dict[Path, RecognizerModel] = {}
_models_lock = threading.Lock()


def load_model(path: str | Path) -> RecognizerModel:
    """The model at ``path``, loaded on first use and shared by the whole process.

    Raises :class:`VoiceUnavailable` (``voice_model_missing``, ``voice_model_invalid``,
    ``voice_model_load_failed``) with a message that says what to fix.
    """
    if not str(path).strip():
        raise VoiceUnavailable(
            "voice_model_missing",
            "BANSHI_VOSK_MODEL_PATH is not set; voice input is off (text still works)",
        )
    folder = Path(path).expanduser().resolve()
    if not (folder / "am").is_dir() or not (folder / "conf").is_dir():
        raise VoiceUnavailable(
            "voice_model_invalid", f"{folder} is not a Kaldi model folder (needs am/ and conf/)"
        )
    with _models_lock:
        if folder not in _models:
            try:
                _models[folder] = RecognizerModel(folder)
            except Exception as error:  # vosk raises a bare Exception
                raise VoiceUnavailable("voice_model_load_failed", f"{folder}: {error}") from error
        return _models[folder]


class RecognizerSession:
    """One audio stream, one utterance at a time. Not thread-safe: one caller at a time.

    Call :meth:`accept` with chunks of PCM; it returns the events they caused (speech started,
    partial text, and the final :class:`Transcript` when the utterance ends). :meth:`finish`
    ends the utterance now. After a transcript, call :meth:`start` to listen again.
    """

    def __init__(
        self,
        model: RecognizerModel,
        config: RecognizerConfig | None = None,
        *,
        input_rate: int = RECOGNIZER_RATE,
    ) -> None:
        self.model = model
        self.config = config or RecognizerConfig()
        self.input_rate = check_rate(input_rate)
        self.kind = FieldKind.FREE
        self.hints: list[str] = []
        self.expect: Expectation | None = None
        self._total_bytes = 0
        self._audio_bytes = 0
        self.start()

    # ------------------------------------------------------------------ lifecycle
    def start(
        self,
        *,
        kind: FieldKind = FieldKind.FREE,
        hints: Iterable[str] = (),
        input_rate: int | None = None,
        expect: Expectation | None = None,
    ) -> None:
        """Begin a new utterance (optionally with a field kind, phrase hints, a new rate, and
        the answer the question expects, which lets a complete answer end it early)."""
        if input_rate is not None:
            self.input_rate = check_rate(input_rate)
        self.kind = kind
        self.hints = list(hints)
        self.expect = expect if expect is not None and expect.ends_early else None
        self._resampler = StreamResampler(self.input_rate, RECOGNIZER_RATE)
        self._endpointer = EnergyEndpointer(self.config.endpoint)
        self._preroll: deque[bytes] = deque()
        self._preroll_bytes = 0
        if getattr(self, "_recognizer", None) is not None:  # an utterance left unfinished
            self._recognizer.FinalResult()
            self.model.release(self._recognizer, self._grammar, decoded_s=self._fed_s())
        self._recognizer: Any = None
        self._words_base_s = 0.0
        self._fed_bytes = 0
        self._grammar: list[str] | None = None
        self._base_s = self._total_bytes / (2 * RECOGNIZER_RATE)
        self._decode_offset_s = 0.0
        self._segments: list[dict[str, Any]] = []
        self._audio_bytes = 0
        self._decode_s = 0.0
        self._since_partial_s = 0.0
        self._last_partial = ""
        self._partial_changed_at_s = 0.0
        self._checked_at_s = -1.0
        self._done: Transcript | None = None

    @property
    def ended(self) -> bool:
        """Whether the current utterance has its transcript."""
        return self._done is not None

    @property
    def state(self) -> EndpointState:
        """Waiting for speech, speaking, or ended."""
        return self._endpointer.state

    # ------------------------------------------------------------------ audio in
    def accept(self, pcm: bytes) -> list[RecognizerEvent]:
        """Take a chunk of PCM at the session's input rate; return the events it caused.

        A long chunk (audio that piled up while the machine was busy) is taken in slices of
        ``check_every_s``, so that the utterance ends where it would have in a live stream.
        """
        if self._done is not None:
            return []
        audio = self._resampler.process(pcm)
        step = max(2, int(self.config.check_every_s * RECOGNIZER_RATE) * 2)
        events: list[RecognizerEvent] = []
        for offset in range(0, len(audio), step):
            events += self._accept16k(audio[offset : offset + step])
            if self._done is not None:
                break
        return events

    def _accept16k(self, audio: bytes) -> list[RecognizerEvent]:
        events: list[RecognizerEvent] = []
        if not audio:
            return events
        self._audio_bytes += len(audio)
        self._total_bytes += len(audio)
        was_waiting = self._endpointer.state is EndpointState.WAITING
        found = self._endpointer.feed(audio)
        for event in found:
            if event.kind == "started":
                events.append(SpeechStarted(self._base_s + event.at_s))
        if was_waiting and self._endpointer.state is EndpointState.WAITING:
            self._keep_preroll(audio)
            return events
        if self._recognizer is None and self._endpointer.speech_start_s is not None:
            self._begin_decoding(audio)
        elif self._recognizer is not None:
            self._decode(audio)
        ended = next((e for e in found if e.kind == "ended"), None)
        if ended is not None:
            events.append(self._finish(EndReason(ended.reason), ended.at_s))
            return events
        partial = self._maybe_partial(len(audio))
        if partial is not None:
            events.append(partial)
        if self._answer_complete():
            events.append(self._finish(EndReason.COMPLETE, self._endpointer.time_s))
            return events
        if self._stable_too_long():
            events.append(self._finish(EndReason.STABLE, self._endpointer.time_s))
        return events

    def _fed_s(self) -> float:
        """Seconds of audio the recognizer was given in this utterance."""
        return self._fed_bytes / (2 * RECOGNIZER_RATE)

    def _keep_preroll(self, audio: bytes) -> None:
        self._preroll.append(audio)
        self._preroll_bytes += len(audio)
        limit = int(self.config.preroll_s * RECOGNIZER_RATE * 2)
        while self._preroll and self._preroll_bytes - len(self._preroll[0]) >= limit:
            self._preroll_bytes -= len(self._preroll.popleft())

    def _begin_decoding(self, audio: bytes) -> None:
        self._grammar = self.model.grammar(self.hints) if self.hints else None
        self._recognizer = self.model.acquire(self._grammar)
        self._words_base_s = self.model.decoded_s(self._recognizer)
        self._fed_bytes = 0
        preroll = b"".join(self._preroll)
        self._preroll.clear()
        heard_s = self._audio_bytes / (2 * RECOGNIZER_RATE)
        self._decode_offset_s = (
            self._base_s + heard_s - (len(preroll) + len(audio)) / (2 * RECOGNIZER_RATE)
        )
        self._partial_changed_at_s = heard_s
        self._decode(preroll + audio)

    def _decode(self, audio: bytes) -> None:
        self._fed_bytes += len(audio)
        started = time.thread_time()
        if self._recognizer.AcceptWaveform(audio):
            self._segments.append(json.loads(self._recognizer.Result()))
        self._decode_s += time.thread_time() - started

    def _maybe_partial(self, new_bytes: int) -> Partial | None:
        if self._recognizer is None:
            return None
        self._since_partial_s += new_bytes / (2 * RECOGNIZER_RATE)
        if self._since_partial_s < self.config.partial_every_s:
            return None
        self._since_partial_s = 0.0
        started = time.thread_time()
        current = json.loads(self._recognizer.PartialResult()).get("partial", "")
        self._decode_s += time.thread_time() - started
        raw = " ".join(s.get("text", "") for s in self._segments if s.get("text"))
        text = clean_transcript(f"{raw} {current}", kind=self.kind)
        if text == self._last_partial:
            return None
        self._last_partial = text
        self._partial_changed_at_s = self._endpointer.time_s
        return Partial(text) if text else None

    def _answer_complete(self) -> bool:
        """Whether the caller has been quiet for the settle time after words that are a
        complete expected answer. The words are read (a Kaldi partial result) only while quiet,
        at most every ``check_every_s`` of audio, so speech costs no extra decoding."""
        if self.expect is None or self._recognizer is None:
            return False
        end = self._endpointer.speech_end_s
        now = self._endpointer.time_s
        if end is None or now - end < self.config.settle_s:
            return False
        if self._checked_at_s > end and now - self._checked_at_s < self.config.check_every_s:
            return False
        self._checked_at_s = now
        started = time.thread_time()
        current = json.loads(self._recognizer.PartialResult()).get("partial", "")
        self._decode_s += time.thread_time() - started
        raw = " ".join(s.get("text", "") for s in self._segments if s.get("text"))
        return self.expect.complete(clean_transcript(f"{raw} {current}", kind=self.kind))

    def _stable_too_long(self) -> bool:
        if not self._last_partial:
            return False
        return self._endpointer.time_s - self._partial_changed_at_s >= self.config.stable_after_s

    # ------------------------------------------------------------------ the end
    def finish(self, reason: EndReason = EndReason.STOPPED) -> Transcript:
        """End the utterance now (or return the transcript it already has)."""
        if self._done is not None:
            return self._done
        tail = self._resampler.flush()
        if tail and self._recognizer is not None:
            self._audio_bytes += len(tail)
            self._total_bytes += len(tail)
            self._decode(tail)
        return self._finish(reason, self._audio_bytes / (2 * RECOGNIZER_RATE))

    def _finish(self, reason: EndReason, at_s: float) -> Transcript:
        if self._recognizer is not None:
            started = time.thread_time()
            self._segments.append(json.loads(self._recognizer.FinalResult()))
            self._decode_s += time.thread_time() - started
            self.model.release(self._recognizer, self._grammar, decoded_s=self._fed_s())
        words = tuple(
            Word(
                word=str(item["word"]),
                start_s=self._decode_offset_s + float(item["start"]) - self._words_base_s,
                end_s=self._decode_offset_s + float(item["end"]) - self._words_base_s,
                conf=float(item.get("conf", 0.0)),
            )
            for segment in self._segments
            for item in segment.get("result", [])
            if item.get("word") not in ("[unk]", "<unk>")
        )
        raw = " ".join(s.get("text", "") for s in self._segments if s.get("text")).strip()
        text = clean_transcript(raw, kind=self.kind)
        heard_speech = self._endpointer.speech_start_s is not None
        if not heard_speech and reason is EndReason.STOPPED:
            reason = EndReason.NO_SPEECH
        audio_s = self._audio_bytes / (2 * RECOGNIZER_RATE)
        start, end = self._endpointer.speech_start_s, self._endpointer.speech_end_s
        self._done = Transcript(
            text=text,
            raw_text=raw,
            reason=reason,
            words=words,
            speech_start_s=None if start is None else self._base_s + start,
            speech_end_s=None if end is None else self._base_s + end,
            endpoint_s=self._base_s + at_s,
            timing={
                "audio_s": audio_s,
                "decode_s": self._decode_s,
                "rtf": self._decode_s / audio_s if audio_s else 0.0,
            },
        )
        self._recognizer = None
        return self._done


def transcribe(
    model: RecognizerModel,
    pcm: bytes,
    rate: int,
    *,
    config: RecognizerConfig | None = None,
    chunk_s: float = 0.1,
    kind: FieldKind = FieldKind.FREE,
    hints: Iterable[str] = (),
) -> list[Transcript]:
    """Every utterance in a recording, streamed through one session in ``chunk_s`` pieces."""
    session = RecognizerSession(model, config, input_rate=rate)
    session.start(kind=kind, hints=hints)
    step = max(2, int(rate * chunk_s) * 2)
    results: list[Transcript] = []
    for offset in range(0, len(pcm), step):
        for event in session.accept(pcm[offset : offset + step]):
            if isinstance(event, Transcript):
                if event.reason is not EndReason.NO_SPEECH:
                    results.append(event)
                session.start(kind=kind, hints=hints)
    final = session.finish()
    if final.raw_text or not results:
        results.append(final)
    return results
