"""Speech synthesis with pyttsx3 over espeak-ng (voice ``cmn-latn-pinyin``).

pyttsx3 hangs when it is driven from several threads, and espeak-ng can be initialised once per
process, so one worker thread owns the engine and takes jobs from a queue; coroutines wait for
their audio without blocking the event loop. A job is split into sentences and each sentence's
audio is delivered as soon as it is ready, so playback starts before a long reply is done and a
barge-in cancels the sentences not yet synthesized.

The rate is given in Chinese characters per minute, as ACCESSIBILITY.md V9 states it, and turned
into espeak-ng's unit with a table measured on our own prompts (espeak's unit is words per
minute and pauses at punctuation do not scale with it). Audio comes out at 22.05 kHz and is
resampled for the channel (8 kHz phone, 16 kHz, 22.05 kHz or 48 kHz browsers). Fixed prompts can
be cached; replies that may hold personal data are not.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import logging
import queue
import re
import threading
import time
import wave
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

from voice.audio import ESPEAK_RATE, check_rate, resample
from zhtext.speakable import to_speakable

logger = logging.getLogger(__name__)

PINYIN_VOICE = "cmn-latn-pinyin"
DEFAULT_RATE_CPM = 190
"""Default speech rate, Chinese characters per minute (V9: 180–200)."""
SLOW_RATE_CPM = 160
"""The "说慢点" rate, characters per minute."""
MIN_RATE_CPM, MAX_RATE_CPM = 150, 240
"""The adjustable range (V9)."""
MAX_TEXT_CHARS = 2000

# (espeak-ng rate, characters per minute it gives, pauses included), measured with espeak-ng 1.51
# and the cmn-latn-pinyin voice on 21 bot prompts (questions, amounts, options, warnings).
RATE_CALIBRATION: tuple[tuple[int, float], ...] = (
    (130, 143.6),
    (140, 156.3),
    (150, 168.2),
    (160, 181.7),
    (165, 188.1),
    (170, 194.8),
    (175, 202.4),
    (185, 215.8),
    (200, 238.4),
    (215, 260.0),
)
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")


class SynthesisError(RuntimeError):
    """Synthesis failed; ``code`` for the logs, ``message`` in Chinese for the user."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.message = "语音播放出了问题，请看屏幕上的文字。"


def espeak_rate(chars_per_min: float) -> int:
    """espeak-ng's rate for a speech rate in Chinese characters per minute (clamped to V9's
    150–240), by linear interpolation in :data:`RATE_CALIBRATION`."""
    target = min(max(chars_per_min, MIN_RATE_CPM), MAX_RATE_CPM)
    points = RATE_CALIBRATION
    for (r0, c0), (r1, c1) in itertools.pairwise(points):
        if target <= c1 or (r1, c1) == points[-1]:
            return round(r0 + (target - c0) * (r1 - r0) / (c1 - c0))
    return points[-1][0]  # pragma: no cover - the loop always returns


def split_sentences(text: str, *, min_chars: int = 4) -> list[str]:
    """``text`` cut after each sentence end (。！？；), tiny pieces joined to their neighbour."""
    pieces = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    out: list[str] = []
    for piece in pieces:
        if (out and len(out[-1]) < min_chars) or (out and len(piece) < min_chars):
            out[-1] += piece
        else:
            out.append(piece)
    return out


@dataclass(frozen=True)
class SynthConfig:
    """How the synthesizer speaks."""

    voice: str = PINYIN_VOICE
    rate_cpm: int = DEFAULT_RATE_CPM
    """Default rate, characters per minute."""
    slow_rate_cpm: int = SLOW_RATE_CPM
    """Rate after "说慢点", characters per minute."""
    cache_entries: int = 64
    """Fixed prompts kept in memory (least recently used dropped first)."""
    sentence_timeout_s: float = 20.0
    """Longest wait for espeak-ng to finish one sentence."""


_DONE = object()


@dataclass
class _Job:
    sentences: list[str]
    rate: int
    out_rate: int
    deliver: Callable[[object], None]
    cancelled: threading.Event = field(default_factory=threading.Event)


def _to_loop(
    loop: asyncio.AbstractEventLoop, items: asyncio.Queue[object]
) -> Callable[[object], None]:
    """A thread-safe way to hand items to a coroutine; a closed loop just drops them."""

    def deliver(item: object) -> None:
        # A closed loop raises RuntimeError: nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(items.put_nowait, item)

    return deliver


class Synthesizer:
    """The process's speech synthesizer: one worker thread, one pyttsx3 engine, a job queue."""

    def __init__(self, config: SynthConfig | None = None) -> None:
        self.config = config or SynthConfig()
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.stats = {"jobs": 0, "sentences": 0, "cache_hits": 0}

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout_s: float = 10.0) -> None:
        """Start the worker and wait until the engine has spoken once (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="voice-tts", daemon=True)
            self._thread.start()
        if not self._ready.wait(timeout_s):
            raise SynthesisError("tts_start_timeout", "espeak-ng did not start in time")
        if self._start_error is not None:
            raise SynthesisError("tts_unavailable", str(self._start_error))

    def close(self) -> None:
        """Stop the worker (jobs still queued are answered with an error)."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    # ------------------------------------------------------------------ public API
    def rate_for(self, *, slow: bool = False) -> int:
        """The configured rate in characters per minute (the slow one after "说慢点")."""
        return self.config.slow_rate_cpm if slow else self.config.rate_cpm

    async def stream(
        self,
        text: str,
        *,
        rate_cpm: int | None = None,
        sample_rate: int = ESPEAK_RATE,
        cache: bool = False,
    ) -> AsyncGenerator[bytes, None]:
        """16-bit mono PCM for ``text``, one sentence at a time, at ``sample_rate`` Hertz.

        ``text`` passes the speakable-text formatter first (nothing raw reaches espeak-ng).
        Closing the iterator early (barge-in) cancels the sentences not yet synthesized. With
        ``cache`` the whole audio is kept for the next request of the same prompt.
        """
        key, sentences, rate = self._prepare(text, rate_cpm, sample_rate)
        if not sentences:
            return
        cached = self._cached(key) if cache else None
        if cached is not None:
            yield cached
            return
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[object] = asyncio.Queue()
        job = _Job(sentences, rate, sample_rate, deliver=_to_loop(loop, items))
        self._submit(job)
        parts: list[bytes] = []
        try:
            while True:
                item = await items.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, bytes)
                parts.append(item)
                yield item
        finally:
            job.cancelled.set()
        if cache:
            self._store(key, b"".join(parts))

    async def synthesize(
        self,
        text: str,
        *,
        rate_cpm: int | None = None,
        sample_rate: int = ESPEAK_RATE,
        cache: bool = False,
    ) -> bytes:
        """The whole audio of ``text`` as 16-bit mono PCM at ``sample_rate`` Hertz."""
        chunks = [
            chunk
            async for chunk in self.stream(
                text, rate_cpm=rate_cpm, sample_rate=sample_rate, cache=cache
            )
        ]
        return b"".join(chunks)

    def synthesize_blocking(
        self, text: str, *, rate_cpm: int | None = None, sample_rate: int = ESPEAK_RATE
    ) -> bytes:
        """:meth:`synthesize` for code without an event loop (the CLI, benchmarks)."""
        _key, sentences, rate = self._prepare(text, rate_cpm, sample_rate)
        if not sentences:
            return b""
        items: queue.Queue[object] = queue.Queue()
        self._submit(_Job(sentences, rate, sample_rate, deliver=items.put))
        parts: list[bytes] = []
        while True:
            item = items.get()
            if item is _DONE:
                return b"".join(parts)
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            parts.append(item)

    async def preload(
        self, prompts: list[str], *, rate_cpm: int | None = None, sample_rate: int = ESPEAK_RATE
    ) -> None:
        """Synthesize fixed prompts into the cache ahead of their first use."""
        for prompt in prompts:
            await self.synthesize(prompt, rate_cpm=rate_cpm, sample_rate=sample_rate, cache=True)

    # ------------------------------------------------------------------ internals
    def _prepare(
        self, text: str, rate_cpm: int | None, sample_rate: int
    ) -> tuple[tuple[str, int, int], list[str], int]:
        check_rate(sample_rate)
        spoken = to_speakable(text)[:MAX_TEXT_CHARS]
        rate = espeak_rate(rate_cpm if rate_cpm is not None else self.config.rate_cpm)
        return (spoken, rate, sample_rate), split_sentences(spoken), rate

    def _submit(self, job: _Job) -> None:
        if self._thread is None:
            self.start()
        self._jobs.put(job)

    def _cached(self, key: tuple[str, int, int]) -> bytes | None:
        with self._cache_lock:
            audio = self._cache.get(key)
            if audio is not None:
                self._cache.move_to_end(key)
                self.stats["cache_hits"] += 1
            return audio

    def _store(self, key: tuple[str, int, int], audio: bytes) -> None:
        with self._cache_lock:
            self._cache[key] = audio
            self._cache.move_to_end(key)
            while len(self._cache) > self.config.cache_entries:
                self._cache.popitem(last=False)

    # ------------------------------------------------------------------ the worker thread
    def _work(self) -> None:
        if not _ENGINE_OWNER.acquire(timeout=10):
            self._start_error = SynthesisError("tts_busy", "another synthesizer owns espeak-ng")
            self._ready.set()
            return
        try:
            self._serve()
        finally:
            _ENGINE_OWNER.release()

    def _serve(self) -> None:
        global _shared_engine
        try:
            if _shared_engine is None:
                _shared_engine = _EspeakEngine(self.config.voice, self.config.sentence_timeout_s)
            engine = _shared_engine
            engine.say("好。", espeak_rate(self.config.rate_cpm))  # warm up, settle the voice
        except BaseException as error:
            logger.error("voice.tts.start_failed error=%s", error)
            self._start_error = error
            self._ready.set()
            self._fail_all(error)
            return
        self._ready.set()
        while True:
            job = self._jobs.get()
            if job is None:
                break
            self.stats["jobs"] += 1
            try:
                for sentence in job.sentences:
                    if job.cancelled.is_set():
                        break
                    pcm = engine.say(sentence, job.rate)
                    self.stats["sentences"] += 1
                    job.deliver(resample(pcm, ESPEAK_RATE, job.out_rate))
            except SynthesisError as error:
                logger.error("voice.tts.failed code=%s", error.code)
                job.deliver(error)
            except Exception as error:
                logger.exception("voice.tts.failed code=tts_engine_error")
                job.deliver(SynthesisError("tts_engine_error", repr(error)))
            job.deliver(_DONE)
        self._fail_all(SynthesisError("tts_closed", "the synthesizer was closed"))

    def _fail_all(self, error: BaseException) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.deliver(
                    error
                    if isinstance(error, SynthesisError)
                    else SynthesisError("tts_unavailable", str(error))
                )
                job.deliver(_DONE)


# espeak-ng is initialised once per process and pyttsx3 keeps one engine per driver, so the
# engine outlives any one Synthesizer; the lock makes sure one worker thread at a time uses it.
_ENGINE_OWNER = threading.Lock()
_shared_engine: _EspeakEngine | None = None


class _EspeakEngine:
    """The pyttsx3 engine, used from the worker thread only.

    pyttsx3 2.99's espeak driver runs espeak-ng in its asynchronous mode: ``runAndWait`` can
    return before the audio is written, and ``espeak_Cancel`` (called when its loop ends while
    espeak is busy) restores the rate of the previous sentence. So each sentence waits for the
    driver's ``finished-utterance`` notification. Before each sentence the engine waits until
    espeak is idle and reads back the rate espeak-ng actually holds: a rate queued in the
    asynchronous mode can be dropped by a cancel, so a rate remembered on our side would drift.
    """

    def __init__(self, voice: str, timeout_s: float) -> None:
        import pyttsx3
        import pyttsx3.drivers.espeak as espeak_driver

        # The driver prints "Audio saved to …" for every file; keep the process's output clean.
        setattr(espeak_driver, "print", lambda *_args, **_kwargs: None)  # noqa: B010
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        self.engine = pyttsx3.init("espeak")
        self.timeout_s = timeout_s
        self._finished = threading.Event()
        self.engine.connect("finished-utterance", self._on_finished)
        known = {str(v.id).lower() for v in self.engine.getProperty("voices")}
        if voice.lower() not in known and f"sit/{voice.lower()}" not in known:
            raise SynthesisError("tts_voice_missing", f"espeak-ng has no voice {voice}")
        self.engine.setProperty("voice", voice)
        # espeak-ng's command thread starts with the first synthesis; a rate set before it is
        # not applied (nor read back) until then.
        self._render("好。")

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        self._finished.set()

    def _settle(self) -> None:
        self._espeak.Synchronize()
        deadline = time.monotonic() + 1.0
        while self._espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.001)

    def current_rate(self) -> int:
        """The rate espeak-ng holds now (``espeak_GetParameter(RATE, current=1)``; pyttsx3's
        binding leaves ``current`` out)."""
        return int(self._espeak.dll.espeak_GetParameter(self._espeak.RATE, 1))

    def _apply_rate(self, rate: int) -> None:
        self._settle()
        for _attempt in range(3):
            if self.current_rate() == rate:
                return
            self.engine.setProperty("rate", rate)
            self._settle()
        raise SynthesisError("tts_rate", f"espeak-ng kept rate {self.current_rate()}, not {rate}")

    def say(self, text: str, rate: int) -> bytes:
        """16-bit PCM at 22.05 kHz for one sentence."""
        self._apply_rate(rate)
        return self._render(text)

    def _render(self, text: str) -> bytes:
        buffer = io.BytesIO()
        self._finished.clear()
        self.engine.save_to_file(text, buffer)
        self.engine.runAndWait()
        if not self._finished.wait(self.timeout_s):
            raise SynthesisError("tts_timeout", f"no audio after {self.timeout_s} s")
        buffer.seek(0)
        try:
            with wave.open(buffer, "rb") as source:
                return source.readframes(source.getnframes())
        except (wave.Error, EOFError) as error:
            raise SynthesisError("tts_no_audio", str(error)) from error
