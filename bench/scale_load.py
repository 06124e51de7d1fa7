"""Load through the scale profile's front door, then reconciliation (issue: replicas, load).

``python -m bench.scale_load [--conversations 200] [--turns 20] [--rasa-replicas 1,2,3]``

For each replica count: the scale profile started on its own databases, ``conversations``
conversations of ``turns`` turns all at once through the public gateway port (the load balancer
when there are several gateways), then every user message the gateway accepted (200) is looked
for in Rasa's tracker store and the gateway's transcript. Also the CPU share of each process
kind during the load. Prints one JSON document, written to ``var/bench/scale_load.json``.
Targets: no lost and no duplicated message, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from dataclasses import asdict
from typing import Any

import httpx

from banshi import paths
from bench.procstat import usage
from bench.scale_system import Citizen, reconcile, scale_system
from bench.turn_latency import percentile
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.conftest import RunningSystem

# Twenty turns a citizen might say: errands started, details given, answers declined, questions.
# No request for a person: its turns would go to staff, not to Rasa, and load the bot path less.
TURNS = [
    "你好",
    "我要给孙子交学费",
    DEMO_STUDENT_ID,
    "不对",
    "算了",
    "我能办什么",
    "高龄津贴怎么申请",
    "不办了",
    "查一下我办的事",
    "谢谢",
    "交学费",
    DEMO_STUDENT_ID,
    "先不缴",
    "敬老卡是什么",
    "不用了",
    "社保认证",
    "不办了",
    "低保怎么申请",
    "不用了",
    "再见",
]


def script(turns: int) -> list[str]:
    """``turns`` turns: the twenty above, repeated as needed."""
    return [TURNS[i % len(TURNS)] for i in range(turns)]


def kind_of(name: str) -> str:
    """``rasa-2`` → ``rasa``."""
    return name.rsplit("-", 1)[0] if name.rsplit("-", 1)[-1].isdigit() else name


async def drive(
    base: str, conversations: int, turns: list[str]
) -> tuple[dict[str, list[str]], list[float], dict[str, int], float]:
    """Every conversation at once; each sends its turns one after another."""
    accepted: dict[str, list[str]] = {}
    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    limits = httpx.Limits(max_connections=conversations + 10, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def conversation() -> None:
            citizen = Citizen(client)
            for text in turns:
                await citizen.say_timed(text, latencies, errors)
            if citizen.conversation_id:
                accepted[citizen.conversation_id] = citizen.accepted

        started = time.perf_counter()
        await asyncio.gather(*(conversation() for _ in range(conversations)))
        elapsed = time.perf_counter() - started
    return accepted, latencies, dict(errors), elapsed


def cpu_by_kind(system: RunningSystem) -> dict[str, float]:
    """CPU seconds used so far by each process kind."""
    totals: dict[str, float] = defaultdict(float)
    for name, process in system.group.processes.items():
        totals[kind_of(name)] += usage(process.pid).cpu_s
    return dict(totals)


def measure(system: RunningSystem, conversations: int, turns: list[str]) -> dict[str, Any]:
    """One load run against a started system, and its reconciliation."""
    base = system.gateway
    # Warm-up: a few whole conversations, so the first turns do not pay for lazy loading.
    asyncio.run(drive(base, 4, turns[:6]))
    cpu_before = cpu_by_kind(system)
    accepted, latencies, errors, elapsed = asyncio.run(drive(base, conversations, turns))
    cpu_after = cpu_by_kind(system)
    cpu = {kind: round(cpu_after[kind] - cpu_before.get(kind, 0.0), 1) for kind in cpu_after}
    cpu_total = sum(cpu.values()) or 1.0
    served = len(latencies) - sum(v for k, v in errors.items() if k.startswith("http_"))
    return {
        "turns_sent": conversations * len(turns),
        "turns_answered": served,
        "errors": errors,
        "seconds": round(elapsed, 1),
        "throughput_turns_per_s": round(served / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "cpu_seconds": cpu,
        "cpu_share": {kind: round(value / cpu_total, 3) for kind, value in cpu.items()},
        "cpu_cores_busy": round(cpu_total / elapsed, 2),
        "reconciliation": asdict(reconcile(system.settings, accepted)),
    }


def replica_overrides(rasa_replicas: int) -> dict[str, Any]:
    """Settings for ``rasa_replicas`` Rasa servers; one gateway and one action server, so that
    the runs differ in Rasa alone (with more than one, nginx is in front of every kind)."""
    return {"rasa_replicas": rasa_replicas}


def main(argv: list[str] | None = None) -> int:
    """Measure each replica count, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--rasa-replicas", default="1,2,3")
    args = parser.parse_args(argv)
    turns = script(args.turns)
    runs = {}
    for count in (int(n) for n in args.rasa_replicas.split(",")):
        with scale_system(**replica_overrides(count)) as system:
            runs[str(count)] = measure(system, args.conversations, turns)
    worst = [run["reconciliation"] for run in runs.values()]
    report = {
        "benchmark": "scale_load",
        "profile": "scale",
        "conversations": args.conversations,
        "turns_per_conversation": len(turns),
        "by_rasa_replicas": runs,
        "target": {"lost": 0, "duplicated": 0, "errors": 0},
        "meets_target": all(
            r["lost_in_tracker"] + r["lost_in_transcript"] == 0
            and r["duplicated_in_tracker"] + r["duplicated_in_transcript"] == 0
            and r["out_of_order"] == 0
            for r in worst
        )
        and all(not run["errors"] for run in runs.values()),
    }
    out = paths.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / "scale_load.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
