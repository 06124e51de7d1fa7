"""Phone calls: answer → first greeting audio, and how many calls at once this machine holds.

Starts the real processes (embedded profile, the phone on, no recognizer: synthesis only) and
calls the gateway's SIP port from raw UDP callers (``tests/phone/peer.py``) that stay quiet:

- ``answer_to_first_audio``: from the caller receiving the 200 OK to the first RTP packet with
  sound in it (the greeting), one call at a time (target p95 ≤ 300 ms).
- ``concurrent``: K calls placed at once, each held ``HOLD_S`` seconds, for growing K: answer →
  first audio, the gaps between RTP packets (pacing: 20 ms), the calls that heard their
  greeting, and the gateway's CPU per call. K is *held* when every call heard its greeting
  within a second and the 99th percentile gap stays ≤ 60 ms.

Prints JSON and writes var/bench/phone_calls.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from banshi import paths
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from bench.voice_common import machine, percentile, summary_ms, write_report
from channels.phone import g711
from tests.conftest import free_port
from tests.phone.baresip import free_udp_port
from tests.phone.calls import loud_frames
from tests.phone.peer import Peer

SEQUENTIAL_CALLS = 20
LEVELS = (5, 10, 20, 40, 60)
HOLD_S = 12.0
FIRST_AUDIO_WAIT_S = 5.0
HELD_GAP_MS = 60.0
HELD_FIRST_AUDIO_S = 1.0


async def one_call(port: int, hold_s: float) -> dict[str, Any]:
    """Call, wait for the greeting, stay ``hold_s`` seconds (0: hang up once the greeting
    starts), hang up; the timings."""
    peer = await Peer.open(port)
    await peer.call()
    answered = time.perf_counter()
    first_audio: float | None = None
    arrivals: list[float] = []
    deadline = answered + (hold_s or FIRST_AUDIO_WAIT_S)
    while (now := time.perf_counter()) < deadline:
        try:
            data, _ = await asyncio.wait_for(peer.rtp.queue.get(), deadline - now)
        except asyncio.TimeoutError:
            break
        at = time.perf_counter()
        arrivals.append(at)
        if first_audio is None and loud_frames(g711.decode(data[12:], "PCMU")):
            first_audio = at
            if hold_s == 0:
                break
    peer.send(peer.request("BYE"))
    with contextlib.suppress(asyncio.TimeoutError, AssertionError):
        await peer.response(200, timeout=5)
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(arrivals)]
    return {
        "first_audio_s": None if first_audio is None else first_audio - answered,
        "gaps_ms": gaps,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(port: int, gateway_pid: int) -> dict[str, Any]:
    await one_call(port, 0)  # warm up
    sequential = [await one_call(port, 0) for _ in range(SEQUENTIAL_CALLS)]
    heard = [c["first_audio_s"] for c in sequential if c["first_audio_s"] is not None]
    levels: list[dict[str, Any]] = []
    held = 0
    for count in LEVELS:
        cpu_before, wall_before = cpu_seconds(gateway_pid), time.perf_counter()
        calls = await asyncio.gather(*(one_call(port, HOLD_S) for _ in range(count)))
        cpu = cpu_seconds(gateway_pid) - cpu_before
        wall = time.perf_counter() - wall_before
        firsts = [c["first_audio_s"] for c in calls if c["first_audio_s"] is not None]
        gaps = [g for c in calls for g in c["gaps_ms"]]
        p99_gap = round(percentile(gaps, 99), 1) if gaps else None
        ok = (
            len(firsts) == count
            and max(firsts) <= HELD_FIRST_AUDIO_S
            and p99_gap is not None
            and p99_gap <= HELD_GAP_MS
        )
        levels.append(
            {
                "calls": count,
                "heard_greeting": len(firsts),
                "answer_to_first_audio": summary_ms(firsts) if firsts else None,
                "rtp_gap_p99_ms": p99_gap,
                "rtp_gap_max_ms": round(max(gaps), 1) if gaps else None,
                "gateway_cpu_per_call_pct": round(cpu / wall / count * 100, 2),
                "held": ok,
            }
        )
        if not ok:
            break
        held = count
    return {
        "answer_to_first_audio": summary_ms(heard) if heard else None,
        "calls_without_greeting": SEQUENTIAL_CALLS - len(heard),
        "concurrent": levels,
        "concurrent_calls_held": held,
        "hold_s": HOLD_S,
    }


def main() -> int:
    """Start the system, measure, report."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            var_dir=Path(tmp),
            models_dir=paths.ROOT / "var" / "models",
            gateway_port=free_port(),
            rasa_port=free_port(),
            action_port=free_port(),
            sandbox_port=free_port(),
            phone_enabled=True,
            sip_port=free_udp_port(),
        ).with_secrets()
        model = ensure_model(settings.models_dir)
        with ProcessGroup(
            settings, process_specs(settings, model), log_dir=Path(tmp) / "logs", echo=False
        ) as group:
            pid = group.processes["gateway"].pid
            results = asyncio.run(measure(settings.sip_port, pid))
    write_report("phone_calls", {"benchmark": "phone_calls", "machine": machine(), **results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
