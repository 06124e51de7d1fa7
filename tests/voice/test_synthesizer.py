"""voice.synthesizer: real espeak-ng through pyttsx3 — valid audio, the rate band, resampling,
the prompt cache, cancellation, and many coroutines at once."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import wave

import pytest

from banshi import paths
from tests.needs import need_espeak
from voice.audio import ESPEAK_RATE, read_wav
from voice.synthesizer import (
    DEFAULT_RATE_CPM,
    SLOW_RATE_CPM,
    Synthesizer,
    espeak_rate,
    split_sentences,
)

# Bot prompts that are not among those the rate table was measured on.
PROMPTS = [
    "请问孩子在哪个学校上学？",
    "您的社保卡已经寄出，三天内送到。",
    "缴费成功，缴费码已经发到您的手机上。",
    "要办理户口迁移，需要先预约，再到派出所窗口。",
    "请说一下您要查哪一个月的养老金。",
    "谢谢您的耐心，还有别的事可以随时找我。",
]


def han_count(text: str) -> int:
    return sum(1 for char in text if "\u4e00" <= char <= "\u9fff")


def speed(audio_bytes: int) -> float:
    """Chinese characters a minute when all of PROMPTS take ``audio_bytes`` of 22.05 kHz PCM."""
    return sum(han_count(p) for p in PROMPTS) / (audio_bytes / 2 / ESPEAK_RATE) * 60


def chars_per_minute(synthesizer: Synthesizer, rate_cpm: int | None) -> float:
    return speed(sum(len(synthesizer.synthesize_blocking(p, rate_cpm=rate_cpm)) for p in PROMPTS))


def in_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Python ``code`` in a child process (espeak-ng belongs to one synthesizer per process)."""
    need_espeak()
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_writes_a_valid_wav(tmp_path) -> None:
    need_espeak()
    out = tmp_path / "out.wav"
    result = subprocess.run(
        [sys.executable, "-m", "banshi", "tts", "您好，请到银行还款1234.5元。", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "银杭" in result.stdout and "一千二百三十四元五角" in result.stdout
    with wave.open(io.BytesIO(out.read_bytes())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert 3.0 < wav.getnframes() / 22050 < 10.0


def test_default_rate_is_inside_the_band(synthesizer: Synthesizer) -> None:
    """V9: 180–200 Chinese characters a minute by default."""
    assert 180 <= chars_per_minute(synthesizer, DEFAULT_RATE_CPM) <= 200


def test_a_rate_espeak_lost_is_set_again(synthesizer: Synthesizer) -> None:
    """espeak-ng queues a rate change and a cancel can drop it; the engine reads back the rate
    espeak holds before every sentence instead of trusting the one it last asked for."""
    from pyttsx3.drivers import _espeak

    synthesizer.synthesize_blocking("好。")  # the engine has now asked for the default rate
    _espeak.SetParameter(_espeak.RATE, 300, 0)  # … and espeak-ng holds another one
    _espeak.Synchronize()
    assert 180 <= chars_per_minute(synthesizer, DEFAULT_RATE_CPM) <= 200


@pytest.mark.parametrize("rate_cpm", [150, SLOW_RATE_CPM, 220, 240])
def test_other_rates_are_within_ten_percent(synthesizer: Synthesizer, rate_cpm: int) -> None:
    measured = chars_per_minute(synthesizer, rate_cpm)
    assert measured == pytest.approx(rate_cpm, rel=0.10)


def test_slow_is_slower_and_rates_are_clamped() -> None:
    assert espeak_rate(SLOW_RATE_CPM) < espeak_rate(DEFAULT_RATE_CPM)
    assert espeak_rate(50) == espeak_rate(150)
    assert espeak_rate(1000) == espeak_rate(240)


@pytest.mark.parametrize("sample_rate", [8000, 16000, 22050, 48000])
async def test_output_is_resampled_for_the_channel(
    synthesizer: Synthesizer, sample_rate: int
) -> None:
    base = await synthesizer.synthesize("请稍等。", sample_rate=ESPEAK_RATE)
    audio = await synthesizer.synthesize("请稍等。", sample_rate=sample_rate)
    expected = len(base) / 2 * sample_rate / ESPEAK_RATE
    assert len(audio) / 2 == pytest.approx(expected, rel=0.01)


async def test_nothing_raw_reaches_espeak(synthesizer: Synthesizer) -> None:
    """Digits are formatted before synthesis: 13912345678 is read digit by digit in groups,
    not as the huge number espeak-ng makes of it on its own."""
    formatted = await synthesizer.synthesize("电话13912345678")
    spelled = await synthesizer.synthesize("电话幺三九，幺二三四，五六七八")
    raw = await asyncio.to_thread(
        subprocess.run,
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "166", "--stdout", "电话13912345678"],
        capture_output=True,
        check=True,
    )
    assert len(formatted) == pytest.approx(len(spelled), rel=0.02)
    assert abs(len(read_wav(raw.stdout)[0]) / len(formatted) - 1) > 0.2


async def test_many_coroutines_at_once_do_not_hang(synthesizer: Synthesizer) -> None:
    texts = [f"第{i}位，请到{i % 9 + 1}号窗口。" for i in range(40)]
    results = await asyncio.wait_for(
        asyncio.gather(*(synthesizer.synthesize(t, sample_rate=16000) for t in texts)),
        timeout=60,
    )
    assert all(len(r) > 16000 for r in results)  # each at least half a second
    # Same text, same length of audio, whatever else ran at the same time.
    again = await synthesizer.synthesize(texts[7], sample_rate=16000)
    assert len(again) == pytest.approx(len(results[7]), rel=0.02)


async def test_stream_delivers_sentence_by_sentence_and_can_be_cancelled(
    synthesizer: Synthesizer,
) -> None:
    text = "第一句话。第二句话比较长一些。第三句话。第四句话。"
    assert split_sentences(text) == [
        "第一句话。",
        "第二句话比较长一些。",
        "第三句话。",
        "第四句话。",
    ]
    chunks = [c async for c in synthesizer.stream(text)]
    assert len(chunks) == 4
    before = synthesizer.stats["sentences"]
    stream = synthesizer.stream(text)
    first = await stream.__anext__()
    assert len(first) == pytest.approx(len(chunks[0]), rel=0.02)
    await stream.aclose()  # barge-in
    await synthesizer.synthesize("好。")  # the worker is free again
    assert synthesizer.stats["sentences"] - before < 4 + 1


async def test_fixed_prompts_are_cached(synthesizer: Synthesizer) -> None:
    prompt = "您还在吗？需要继续请点“继续使用”。"
    await synthesizer.preload([prompt])
    hits = synthesizer.stats["cache_hits"]
    jobs = synthesizer.stats["jobs"]
    await synthesizer.synthesize(prompt, cache=True)
    assert synthesizer.stats["cache_hits"] == hits + 1
    assert synthesizer.stats["jobs"] == jobs
    await synthesizer.synthesize("您的学号是幺二三。")  # replies are not cached by default
    assert synthesizer.stats["jobs"] == jobs + 1


async def test_empty_text_gives_no_audio(synthesizer: Synthesizer) -> None:
    assert await synthesizer.synthesize("  ") == b""


def test_a_missing_voice_is_a_clear_error() -> None:
    code = (
        "from voice.synthesizer import Synthesizer, SynthConfig, SynthesisError\n"
        "s = Synthesizer(SynthConfig(voice='no-such-voice'))\n"
        "try:\n    s.start()\nexcept SynthesisError as e:\n"
        "    print(e.code); print(e); print(e.message)\n"
    )
    result = in_child(code)
    assert result.returncode == 0, result.stderr
    code_line, error, message = result.stdout.strip().splitlines()[-3:]
    assert code_line == "tts_unavailable"
    assert error == "tts_unavailable: tts_voice_missing: espeak-ng has no voice no-such-voice"
    assert message == "语音播放出了问题，请看屏幕上的文字。"


def test_wav_from_the_cli_is_readable_by_our_reader(tmp_path) -> None:
    need_espeak()
    out = tmp_path / "x.wav"
    subprocess.run(
        [sys.executable, "-m", "banshi", "tts", "好的。", "-o", str(out), "--sample-rate", "8000"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pcm, rate = read_wav(out.read_bytes())
    assert rate == 8000 and len(pcm) > 1000


def test_without_a_rate_the_default_is_spoken(synthesizer: Synthesizer) -> None:
    """The synthesizer of SynthConfig() speaks at V9's default when no rate is asked for."""
    assert 180 <= chars_per_minute(synthesizer, None) <= 200


def test_without_a_rate_the_configured_one_is_spoken() -> None:
    """A synthesizer configured for 150 a minute speaks at 150 when no rate is asked for, so
    the same prompts take longer than at the default."""
    code = (
        "import json, sys\n"
        "from voice.synthesizer import Synthesizer, SynthConfig\n"
        "s = Synthesizer(SynthConfig(rate_cpm=150))\n"
        "s.start()\n"
        "print(sum(len(s.synthesize_blocking(p)) for p in json.loads(sys.argv[1])))\n"
    )
    result = in_child(code, json.dumps(PROMPTS))
    assert result.returncode == 0, result.stderr
    assert speed(int(result.stdout.split()[-1])) == pytest.approx(150, rel=0.10)
