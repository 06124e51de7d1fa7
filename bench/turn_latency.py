"""Turn latency through the gateway, and through Rasa's REST webhook alone (embedded profile).

50 conversations × 10 turns, 10 conversations at a time. Starts the real processes on free
ports, prints one JSON document and writes it to ``var/bench/turn_latency.json``.
Target (issue 16, "The cost of a turn"): through the gateway at 10 concurrent conversations,
at least 40 turns/s with p95 ≤ 400 ms and 0 errors.

Throughput and latency depend on what else the machine runs; the CPU time each process spent
per turn (``cpu_ms_per_turn``, from ``/proc``) depends much less on it, and ``load_average``
says how busy the machine was. docs/turn-cost.md has the profile behind the figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from banshi import paths
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from bench.procstat import usage
from tests.conftest import free_port

CONVERSATIONS = 50
CONCURRENCY = 10
WARMUP_CONVERSATIONS = 3
TARGET_TURNS_PER_S = 40
TARGET_P95_MS = 400


def script(student_id: str) -> list[str]:
    """Ten turns of a realistic conversation (pay a bill, then decline a second one)."""
    return [
        "你好",
        "我要给孙子交学费",
        student_id,
        "不对",
        "谢谢",
        "交学费",
        student_id,
        "先不缴",
        "我能办什么",
        "再见",
    ]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def run_load(
    send: Any,
    turns: list[str],
    *,
    conversations: int = CONVERSATIONS,
    concurrency: int = CONCURRENCY,
    pids: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Drive ``conversations`` conversations through ``send``, ``concurrency`` at a time; with
    ``pids`` (name → process id), also the CPU milliseconds each process spent per turn."""
    latencies: list[float] = []
    errors: list[str] = []
    semaphore = asyncio.Semaphore(concurrency)

    async def conversation() -> None:
        async with semaphore:
            sender = uuid.uuid4().hex
            for text in turns:
                started = time.perf_counter()
                try:
                    ok = await send(sender, text)
                except httpx.HTTPError as error:
                    errors.append(type(error).__name__)
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                if not ok:
                    errors.append("bad answer")

    for _ in range(WARMUP_CONVERSATIONS):
        await conversation()
    latencies.clear()
    errors.clear()
    cpu_before = {name: usage(pid).cpu_s for name, pid in (pids or {}).items()}
    started = time.perf_counter()
    await asyncio.gather(*(conversation() for _ in range(conversations)))
    elapsed = time.perf_counter() - started
    turns_done = max(1, len(latencies) + len(errors))
    cpu = {
        name: round((usage(pid).cpu_s - cpu_before[name]) * 1000 / turns_done, 1)
        for name, pid in (pids or {}).items()
    }
    return {
        "turns": len(latencies) + len(errors),
        "errors": len(errors),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "throughput_turns_per_s": round(len(latencies) / elapsed, 1),
        **({"cpu_ms_per_turn": cpu} if cpu else {}),
    }


async def measure(
    settings: Settings, student_id: str, pids: dict[str, int] | None = None
) -> dict[str, Any]:
    """Both measurements against the running system (``pids``: its processes, by name)."""
    turns = script(student_id)
    limits = httpx.Limits(max_connections=CONCURRENCY * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started: dict[str, tuple[str, str]] = {}  # sender → conversation id and token

        async def via_gateway(sender: str, text: str) -> bool:
            body: dict[str, Any] = {"text": text}
            headers: dict[str, str] = {}
            if sender in started:
                body["conversation_id"], headers["X-Conversation-Token"] = started[sender]
            response = await client.post(
                f"http://127.0.0.1:{settings.gateway_port}/api/chat", json=body, headers=headers
            )
            if response.status_code != 200:
                return False
            answer = response.json()
            if sender not in started:
                started[sender] = (answer["conversation_id"], answer["conversation_token"])
            return bool(answer["messages"])

        async def via_rasa(sender: str, text: str) -> bool:
            response = await client.post(
                f"{settings.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
            )
            return response.status_code == 200 and bool(response.json())

        rasa = await run_load(via_rasa, turns, pids=pids)
        gateway = await run_load(via_gateway, turns, pids=pids)
        # The same turns one at a time: the latency of a turn when nothing queues.
        gateway_alone = await run_load(via_gateway, turns, conversations=10, concurrency=1)
    return {"gateway": gateway, "rasa_rest_webhook": rasa, "gateway_one_at_a_time": gateway_alone}


def main() -> int:
    """Start the system, measure, print JSON."""
    from platform_sandbox.seed import DEMO_STUDENT_ID

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            var_dir=Path(tmp),
            models_dir=paths.ROOT / "var" / "models",
            gateway_port=free_port(),
            rasa_port=free_port(),
            action_port=free_port(),
            sandbox_port=free_port(),
        ).with_secrets()
        model = ensure_model(settings.models_dir)
        with ProcessGroup(
            settings, process_specs(settings, model), log_dir=Path(tmp) / "logs", echo=False
        ) as group:
            pids = {name: process.pid for name, process in group.processes.items()}
            results = asyncio.run(measure(settings, DEMO_STUDENT_ID, pids))
            load = os.getloadavg()
    gateway, rasa = results["gateway"], results["rasa_rest_webhook"]
    report = {
        "benchmark": "turn_latency",
        "profile": "embedded",
        "conversations": CONVERSATIONS,
        "turns_per_conversation": len(script(DEMO_STUDENT_ID)),
        "concurrency": CONCURRENCY,
        "turns_per_s": gateway["throughput_turns_per_s"],
        "p95_ms": gateway["p95_ms"],
        "load_average_1_5_15_min": [round(x, 2) for x in load],
        "cpus": os.cpu_count(),
        **results,
        "gateway_overhead_ratio_p50": round(gateway["p50_ms"] / rasa["p50_ms"], 2),
        "gateway_overhead_ratio_p95": round(gateway["p95_ms"] / rasa["p95_ms"], 2),
        "target": {"turns_per_s": TARGET_TURNS_PER_S, "p95_ms": TARGET_P95_MS, "errors": 0},
        "meets_target": gateway["throughput_turns_per_s"] >= TARGET_TURNS_PER_S
        and gateway["p95_ms"] <= TARGET_P95_MS
        and gateway["errors"] == 0,
    }
    out = paths.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / "turn_latency.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
