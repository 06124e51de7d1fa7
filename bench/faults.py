"""Faults under load in the scale profile: what citizens hear, what is lost, how long recovery
takes.

The scale profile starts on free ports with PostgreSQL, Redis and RabbitMQ behind fault proxies
(``tests/scale/faultkit.py``). For each fault, 30 conversations talk (a greeting, a school-fee
lookup with a correction, a question, goodbye — again and again) for a few seconds, the fault
lasts ``FAULT_S`` seconds, and the talk goes on until every conversation was answered by the bot
again. Then every turn the bot answered is looked up in the gateway's transcript and in Rasa's
tracker (lost and duplicated counted), and for RabbitMQ, in the event queue.

Faults: the action server SIGKILLed (restarted after ``FAULT_S``), the platform failing
(``error_rate`` 1.0), PostgreSQL, Redis and RabbitMQ cut (every connection closed, new ones
refused). Prints one JSON document and writes it to ``var/bench/faults.json``. Needs the three
services (``BANSHI_TEST_POSTGRES_URL`` … as for the tests).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from banshi import paths
from tests.scale.faultkit import (
    ANSWERED_BY_BOT,
    Citizens,
    FaultySystem,
    drain_events,
    faulty_system,
    platform_back,
    platform_faults,
    reconcile,
)
from tests.scale.services import unreachable

CONVERSATIONS = 30
FAULT_S = 5.0
RECOVERY_LIMIT_S = 60.0


async def _sleep_fault() -> None:
    await asyncio.sleep(FAULT_S)


def _faults(system: FaultySystem) -> dict[str, tuple[Callable[[], Awaitable[None]], str]]:
    """Each fault: (play it for FAULT_S and end it, how recovery is measured)."""

    async def actions() -> None:
        system.kill("actions")
        await _sleep_fault()
        await asyncio.to_thread(system.restart, "actions")

    async def platform() -> None:
        platform_faults(system, error_rate=1.0)
        try:
            await _sleep_fault()
        finally:
            platform_faults(system)

    def cut(proxy: Any) -> Callable[[], Awaitable[None]]:
        async def play() -> None:
            with proxy.down():
                await _sleep_fault()

        return play

    return {
        "action_server_killed": (actions, "bot"),
        "platform_failing": (platform, "platform"),
        "postgres_cut": (cut(system.postgres), "bot"),
        "redis_cut": (cut(system.redis), "bot"),
        "rabbitmq_cut": (cut(system.rabbitmq), "bot"),
    }


async def _events_delivered(system: FaultySystem, citizens: Citizens) -> dict[str, Any]:
    """User events of these conversations that reached the queue, waiting up to 30 s."""
    ours = {c.id for c in citizens.conversations}
    said = sum(len(c.said_to_bot()) for c in citizens.conversations)
    delivered = 0
    started = time.monotonic()
    while time.monotonic() - started < 30:
        events = await drain_events(system.settings.rabbitmq_queue)
        delivered += sum(1 for e in events if e.get("sender_id") in ours and e["event"] == "user")
        if delivered >= said:
            break
        await asyncio.sleep(0.5)
    return {"user_events_expected": said, "user_events_delivered": delivered}


async def _one(system: FaultySystem, name: str, play: Any, recovery: str) -> dict[str, Any]:
    await drain_events(system.settings.rabbitmq_queue)
    async with Citizens(system.gateway, CONVERSATIONS, pause_s=0.5) as citizens:
        await asyncio.sleep(3.0)
        down = time.monotonic()
        await play()
        back = time.monotonic()
        if recovery == "platform":
            recovery_s = await platform_back(citizens, back, RECOVERY_LIMIT_S)
        else:
            recovery_s = await citizens.wait_answered(back, RECOVERY_LIMIT_S)
    during = [a for c in citizens.conversations for a in c.answers if down <= a.sent_at <= back]
    result: dict[str, Any] = {
        "fault_s": round(back - down, 1),
        "turns_during_fault": len(during),
        "answered_by_bot_during_fault": sum(1 for a in during if a.code == ANSWERED_BY_BOT),
        "server_errors_500": sum(1 for a in during if a.status >= 500 and a.status != 503),
        "heard": citizens.heard(down, back),
        "recovery_s": None if recovery_s is None else round(recovery_s, 2),
        **reconcile(system, citizens).as_dict(),
    }
    if name == "rabbitmq_cut":
        result.update(await _events_delivered(system, citizens))
    return result


async def measure(system: FaultySystem) -> dict[str, Any]:
    """Every fault in turn on one running system."""
    results = {}
    for name, (play, recovery) in _faults(system).items():
        results[name] = await _one(system, name, play, recovery)
        print(f"{name}: {results[name]['recovery_s']} s", file=sys.stderr)
    return results


def main() -> int:
    """Start the system behind the proxies, play the faults, print JSON."""
    missing = unreachable()
    if missing:
        print(f"bench.faults needs PostgreSQL, Redis and RabbitMQ: {missing}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, faulty_system(Path(tmp)) as system:
        results = asyncio.run(measure(system))
    report = {
        "benchmark": "faults",
        "profile": "scale",
        "conversations": CONVERSATIONS,
        "fault_s": FAULT_S,
        "faults": results,
        "target": {"lost": 0, "duplicated": 0, "server_errors_500": 0},
        "meets_target": all(
            r["lost"] == 0 and r["duplicated"] == 0 and r["server_errors_500"] == 0
            for r in results.values()
        ),
    }
    out = paths.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / "faults.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
