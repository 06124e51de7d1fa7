"""Soak: the scale profile at a steady rate for a long time; memory, descriptors and sockets of
every process sampled as it runs.

``python -m bench.soak [--minutes 30] [--rate 10]`` (turns per second: half the capacity that
``bench.scale_load`` measured on this machine). Whole conversations of ``bench.scale_load``'s
script are started so that the turns arrive at ``rate`` on average. Prints one JSON document,
written to ``var/bench/soak.json``: per process, resident memory's slope (least squares, MiB
per 10 minutes, after the first tenth of the run as warm-up), open descriptors and sockets at
the start and the end. Target: the slopes near zero and no growth of descriptors or sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any

import httpx

from banshi import paths
from bench.procstat import Usage, usage
from bench.scale_load import script
from bench.scale_system import Citizen, scale_system
from bench.turn_latency import percentile
from tests.conftest import RunningSystem

SAMPLE_EVERY_S = 15.0


def slope_mib_per_10_min(points: list[tuple[float, int]]) -> float:
    """Least-squares slope of resident memory against time."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_m = sum(m for _, m in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    slope = sum((t - mean_t) * (m - mean_m) for t, m in points) / spread  # bytes per second
    return round(slope * 600 / 2**20, 2)


async def load(base: str, rate: float, seconds: float, turns: list[str]) -> dict[str, Any]:
    """Start conversations so that turns arrive at ``rate`` per second until ``seconds`` pass."""
    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    pause = 0.4  # a citizen's pause between turns, seconds
    per_conversation_s = len(turns) * pause
    # Little's law: conversations at once = rate × duration of one conversation (in turns/rate).
    starts_per_s = rate / len(turns)
    deadline = time.monotonic() + seconds
    running: set[asyncio.Task[None]] = set()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def conversation() -> None:
            citizen = Citizen(client)
            for text in turns:
                await citizen.say_timed(text, latencies, errors)
                await asyncio.sleep(pause)

        while time.monotonic() < deadline:
            task = asyncio.create_task(conversation())
            running.add(task)
            task.add_done_callback(running.discard)
            await asyncio.sleep(1 / starts_per_s)
        await asyncio.gather(*running)
    return {
        "turns": len(latencies),
        "errors": dict(errors),
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "seconds_per_conversation_without_waits": per_conversation_s,
    }


def sample(system: RunningSystem) -> dict[str, Usage]:
    """One reading of every process."""
    return {name: usage(p.pid) for name, p in system.group.processes.items()}


def main(argv: list[str] | None = None) -> int:
    """Soak, sample, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=10)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    with scale_system() as system:
        samples: list[tuple[float, dict[str, Usage]]] = []
        started = time.monotonic()

        async def run() -> dict[str, Any]:
            async def sampler() -> None:
                while time.monotonic() - started < seconds + 5:
                    samples.append((time.monotonic() - started, sample(system)))
                    await asyncio.sleep(SAMPLE_EVERY_S)

            sampling = asyncio.create_task(sampler())
            result = await load(system.gateway, args.rate, seconds, script(20))
            sampling.cancel()
            return result

        result = asyncio.run(run())
        samples.append((time.monotonic() - started, sample(system)))
    warm = [(t, s) for t, s in samples if t >= seconds / 10]
    processes = {}
    for name in samples[0][1]:
        first, last = warm[0][1][name], warm[-1][1][name]
        processes[name] = {
            "rss_mib_start": round(first.rss_bytes / 2**20, 1),
            "rss_mib_end": round(last.rss_bytes / 2**20, 1),
            "rss_slope_mib_per_10_min": slope_mib_per_10_min(
                [(t, s[name].rss_bytes) for t, s in warm]
            ),
            "open_files_start_end": [first.open_files, last.open_files],
            "sockets_start_end": [first.sockets, last.sockets],
            "sockets_max": max(s[name].sockets for _, s in warm),
        }
    report = {
        "benchmark": "soak",
        "profile": "scale",
        "minutes": args.minutes,
        "rate_turns_per_s": args.rate,
        "samples": len(samples),
        "load": result,
        "achieved_turns_per_s": round(result["turns"] / seconds, 1),
        "processes": processes,
    }
    out = paths.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / "soak.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
