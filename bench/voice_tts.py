"""Speech synthesis: time to first audio for a 20-character reply, and real-time factor.

Runs the real synthesizer (pyttsx3 over espeak-ng) in this process, the way the gateway does:
one worker thread, requests from coroutines. Prints JSON and writes var/bench/voice_tts.json.
Targets: time to first audio p95 ≤ 150 ms; real-time factor ≤ 0.05.
"""

from __future__ import annotations

import asyncio
import sys
import time

from bench.voice_common import machine, summary_ms, write_report
from voice.audio import ESPEAK_RATE
from voice.synthesizer import DEFAULT_RATE_CPM, Synthesizer

REPLY_20 = "好的，现在帮您交学费。请告诉我孩子的十位学号。"  # 20 Chinese characters
PROMPTS = [
    "您好！我是办事小助手。我能帮您交学费、查养老金、办老年卡。请问您要办什么事？",
    "您的医保个人账户余额是一千二百三十元五角。",
    "请注意，工作人员不会向您要验证码，也不会让您转账。",
    "已经帮您预约了，明天上午九点到社区服务中心办理。",
]
RUNS = 60
CONCURRENT = 4


async def first_audio(synth: Synthesizer, text: str, sample_rate: int) -> float:
    started = time.perf_counter()
    stream = synth.stream(text, sample_rate=sample_rate)
    await stream.__anext__()
    elapsed = time.perf_counter() - started
    await stream.aclose()
    return elapsed


async def measure(synth: Synthesizer) -> dict[str, object]:
    assert sum("\u4e00" <= c <= "\u9fff" for c in REPLY_20) == 20
    for _ in range(3):
        await first_audio(synth, REPLY_20, ESPEAK_RATE)
    ttfa = {}
    for rate in (ESPEAK_RATE, 16000, 8000):
        ttfa[f"{rate}_hz"] = summary_ms(
            [await first_audio(synth, REPLY_20, rate) for _ in range(RUNS)]
        )
    concurrent: list[float] = []
    for _ in range(RUNS // CONCURRENT):
        concurrent += await asyncio.gather(
            *(first_audio(synth, REPLY_20, ESPEAK_RATE) for _ in range(CONCURRENT))
        )
    synth_s = audio_s = 0.0
    for _ in range(5):
        for prompt in PROMPTS:
            started = time.perf_counter()
            pcm = await synth.synthesize(prompt)
            synth_s += time.perf_counter() - started
            audio_s += len(pcm) / 2 / ESPEAK_RATE
    return {
        "time_to_first_audio_20_chars": ttfa,
        f"time_to_first_audio_20_chars_{CONCURRENT}_at_once": summary_ms(concurrent),
        "real_time_factor": round(synth_s / audio_s, 4),
        "audio_s_synthesized": round(audio_s, 1),
    }


def main() -> int:
    """Measure and report."""
    synth = Synthesizer()
    synth.start()
    try:
        results = asyncio.run(measure(synth))
    finally:
        synth.close()
    p95 = results["time_to_first_audio_20_chars"]["22050_hz"]["p95_ms"]  # type: ignore[index]
    report = {
        "benchmark": "voice_tts",
        "engine": "pyttsx3 2.99 + espeak-ng cmn-latn-pinyin",
        "rate_cpm": DEFAULT_RATE_CPM,
        "machine": machine(),
        **results,
        "target": {"time_to_first_audio_p95_ms": 150, "real_time_factor": 0.05},
        "meets_target": p95 <= 150 and results["real_time_factor"] <= 0.05,  # type: ignore[operator]
    }
    write_report("voice_tts", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
