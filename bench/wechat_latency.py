"""WeChat: a text message's reply through ``/wechat`` (embedded profile), 20 followers at once.

Starts the real processes on free ports with the WeChat channel on, WeChat's API played on
loopback (``tests/wechat/mock_api.py``), and has 20 followers talk at the same time, each six
turns (status query with a real application number, thanks, capabilities, goodbye), signed as
WeChat signs them. Measures the time of each request answered with a passive reply, and the
share of turns that missed the reply budget (``BANSHI_WECHAT_REPLY_BUDGET_S``, 4 s) and went
through the customer-service API instead. Prints one JSON document and writes it to
``var/bench/wechat_latency.json``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from banshi import paths
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from bench.turn_latency import percentile
from bench.voice_common import write_report
from tests.conftest import free_port
from tests.wechat.kit import AES_KEY, TOKEN, Follower
from tests.wechat.mock_api import APP_ID, APP_SECRET, WeChatApiMock, wechat_api

FOLLOWERS = 20
WARMUP_FOLLOWERS = 2


def script(application: str) -> list[str]:
    """Six turns of a follower asking after an application."""
    return ["你好", "查一下办件进度", application, "谢谢", "我能办什么", "再见"]


async def follower_talks(
    client: httpx.AsyncClient, gateway: str, turns: list[str], results: dict[str, list[Any]]
) -> None:
    """One follower's turns, one after the other."""
    follower = Follower(gateway)
    for text in turns:
        query, body = follower.request(follower.xml("text", Content=text))
        started = time.perf_counter()
        try:
            response = await client.post(f"{gateway}/wechat", params=query, content=body)
        except httpx.HTTPError as error:
            results["errors"].append(type(error).__name__)
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            results["errors"].append(str(response.status_code))
        elif follower.reply_of(response) is None:
            results["api"].append(follower.openid)
        else:
            results["passive_ms"].append(elapsed_ms)


async def measure(gateway: str, mock: WeChatApiMock, application: str) -> dict[str, Any]:
    """Warm up, then 20 followers at once."""
    turns = script(application)
    limits = httpx.Limits(max_connections=FOLLOWERS * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        warm: dict[str, list[Any]] = {"passive_ms": [], "api": [], "errors": []}
        for _ in range(WARMUP_FOLLOWERS):
            await follower_talks(client, gateway, turns, warm)
        results: dict[str, list[Any]] = {"passive_ms": [], "api": [], "errors": []}
        started = time.perf_counter()
        await asyncio.gather(
            *(follower_talks(client, gateway, turns, results) for _ in range(FOLLOWERS))
        )
        elapsed = time.perf_counter() - started
    # Every turn answered through the API did reach the follower.
    for openid in set(results["api"]):
        await asyncio.to_thread(mock.wait_sent, openid, results["api"].count(openid))
    passive = results["passive_ms"]
    total = len(passive) + len(results["api"]) + len(results["errors"])
    return {
        "turns": total,
        "errors": len(results["errors"]),
        "passive_turns": len(passive),
        "api_turns": len(results["api"]),
        "api_share": round(len(results["api"]) / total, 3) if total else None,
        "passive_p50_ms": round(percentile(passive, 50), 1) if passive else None,
        "passive_p95_ms": round(percentile(passive, 95), 1) if passive else None,
        "passive_mean_ms": round(statistics.fmean(passive), 1) if passive else None,
        "throughput_turns_per_s": round(total / elapsed, 1),
    }


def main() -> int:
    """Start the system with WeChat on, measure, print JSON."""
    from platform_sandbox import seed
    from platform_sandbox.clock import today as sandbox_today

    with tempfile.TemporaryDirectory() as tmp, wechat_api() as mock:
        settings = Settings(
            var_dir=Path(tmp),
            models_dir=paths.ROOT / "var" / "models",
            gateway_port=free_port(),
            rasa_port=free_port(),
            action_port=free_port(),
            sandbox_port=free_port(),
            wechat_app_id=APP_ID,
            wechat_token=TOKEN,
            wechat_aes_key=AES_KEY,
            wechat_app_secret=APP_SECRET,
            wechat_api_base=mock.url,
        ).with_secrets()
        today = settings.today or sandbox_today()
        application = seed.demo_allowance_application(seed.cached_dataset(seed.DEFAULT_SEED, today))
        model = ensure_model(settings.models_dir)
        with ProcessGroup(
            settings, process_specs(settings, model), log_dir=Path(tmp) / "logs", echo=False
        ):
            gateway = f"http://127.0.0.1:{settings.gateway_port}"
            results = asyncio.run(measure(gateway, mock, application))
    report = {
        "benchmark": "wechat_latency",
        "profile": "embedded",
        "followers": FOLLOWERS,
        "turns_per_follower": len(script(application)),
        "reply_budget_s": settings.wechat_reply_budget_s,
        **results,
        "target": {"passive_p95_ms": 4000, "errors": 0},
        "meets_target": bool(
            results["passive_p95_ms"] is not None
            and results["passive_p95_ms"] <= 4000
            and results["errors"] == 0
        ),
    }
    write_report("wechat_latency", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
