"""Platform sandbox latency at a steady 50 requests/s of a realistic mix (embedded profile),
and the platform client's own overhead over raw httpx.

``python -m bench.sandbox_latency [--rate 50] [--duration 20]`` starts the sandbox with
uvicorn on a free port and a temporary SQLite file, drives an open-loop asyncio load (each
request starts on schedule, whether or not earlier ones finished), prints one JSON document
and writes it to ``var/bench/sandbox_latency.json``. Target: p95 ≤ 20 ms for every call.

Latencies depend on what else the machine runs; ``server_cpu_ms_per_request`` (the sandbox
process's CPU time during the load, per request) does not, and says how much of a core 50
requests/s take. ``machine.load_average_1m_at_end`` tells whether the run had the machine
to itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from banshi import paths
from bench.procstat import usage
from platform_client import PlatformClient
from platform_sandbox.clock import today
from platform_sandbox.config import SandboxConfig
from platform_sandbox.seed import (
    DEMO_CITIZENS,
    DEMO_STUDENT_ID,
    DEMO_UTILITY_BILLS,
    cached_dataset,
    demo_allowance_application,
)
from platform_sandbox.synthetic.calendar import weekdays_after

TARGET_P95_MS = 20.0
CLIENT_KEY = "bench-key"
OVERHEAD_SAMPLES = 300
SEED = 20261127


@dataclass(frozen=True)
class Call:
    """One kind of request of the mix."""

    name: str
    weight: int
    send: Callable[
        [httpx.AsyncClient, random.Random, list[dict[str, str]]], Awaitable[httpx.Response]
    ]


def _mix() -> list[Call]:
    """What a day of conversations asks the platform, roughly in these proportions (the dated
    records are those of the data the sandbox laid out today)."""
    day = SandboxConfig().today or today()  # the sandbox it starts reads BANSHI_TODAY too
    application = demo_allowance_application(cached_dataset(SEED, day))
    slot_days = [slot_day.isoformat() for slot_day in weekdays_after(day, 6)]

    def token(rng: random.Random, tokens: list[dict[str, str]]) -> dict[str, str]:
        return rng.choice(tokens)

    return [
        Call("GET /v1/education/bills", 14, lambda h, r, t: h.get(
            "/v1/education/bills", params={"student_id": DEMO_STUDENT_ID})),
        Call("GET /v1/services", 8, lambda h, r, t: h.get(
            "/v1/services", params={"q": r.choice(["养老", "敬老", "水费", "低保", ""])})),
        Call("GET /v1/pension/certification", 10, lambda h, r, t: h.get(
            "/v1/pension/certification", headers=token(r, t))),
        Call("GET /v1/pension/payments", 10, lambda h, r, t: h.get(
            "/v1/pension/payments", params={"months": 6}, headers=token(r, t))),
        Call("GET /v1/medical-insurance/account", 8, lambda h, r, t: h.get(
            "/v1/medical-insurance/account", headers=token(r, t))),
        Call("GET /v1/utilities/bills", 8, lambda h, r, t: h.get(
            "/v1/utilities/bills", headers=token(r, t))),
        Call("GET /v1/certificates", 6, lambda h, r, t: h.get(
            "/v1/certificates", headers=token(r, t))),
        Call("GET /v1/applications/{number}", 6, lambda h, r, t: h.get(
            f"/v1/applications/{application}")),
        Call("GET /v1/agency-points", 5, lambda h, r, t: h.get(
            "/v1/agency-points", params={"district": "姑苏区"})),
        Call("GET /v1/appointments/slots", 7, lambda h, r, t: h.get(
            "/v1/appointments/slots",
            params={"service_code": "senior_card", "point_id": "AP01",
                    "date": r.choice(slot_days)})),
        Call("POST /v1/identity/card-reads", 5, lambda h, r, t: h.post(
            "/v1/identity/card-reads", json=_card(r))),
        Call("POST /v1/payments", 5, lambda h, r, t: h.post(
            "/v1/payments", json={"bill_id": r.choice(DEMO_UTILITY_BILLS), "payer": "self"},
            headers={"Idempotency-Key": f"bench-{r.getrandbits(64):x}"})),
        Call("POST /v1/complaints", 4, lambda h, r, t: h.post(
            "/v1/complaints", json={"category": "suggestion", "content": "希望多开几个窗口。"},
            headers={"Idempotency-Key": f"bench-{r.getrandbits(64):x}"})),
    ]  # fmt: skip


def _card(rng: random.Random) -> dict[str, Any]:
    citizen = rng.choice(DEMO_CITIZENS)
    return {"card_payload": {"id_number": citizen.id_number, "name": citizen.name}}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float | int]:
    """Count and p50/p95/p99/max in milliseconds."""
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_sandbox(directory: Path) -> Iterator[tuple[str, int]]:
    """Start the sandbox (embedded profile: SQLite); yield its base URL and pid; stop it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANSHI_SANDBOX_")}
    env.update(
        BANSHI_SANDBOX_DATABASE_URL=f"sqlite:///{directory / 'sandbox.db'}",
        BANSHI_SANDBOX_CLIENT_KEYS=CLIENT_KEY,
    )
    log = (directory / "sandbox.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "platform_sandbox.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=paths.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"sandbox exited: {(directory / 'sandbox.log').read_text()}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox not healthy after 60 s")
            time.sleep(0.1)
        yield base_url, process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


async def drive(base_url: str, rate: float, duration_s: float) -> dict[str, Any]:
    """Open-loop load: request ``i`` starts at ``i / rate`` seconds; returns the results."""
    rng = random.Random(SEED)
    calls = _mix()
    weights = [call.weight for call in calls]
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {CLIENT_KEY}"},
        timeout=10,
        limits=limits,
    ) as http:
        tokens = []
        for citizen in DEMO_CITIZENS:
            response = await http.post(
                "/v1/identity/card-reads",
                json={"card_payload": {"id_number": citizen.id_number, "name": citizen.name}},
            )
            tokens.append({"X-Citizen-Token": response.json()["citizen_token"]})
        for call in calls:  # warm-up: one of each
            await call.send(http, rng, tokens)

        async def one(call: Call) -> None:
            started = time.perf_counter()
            try:
                response = await call.send(http, rng, tokens)
            except httpx.HTTPError as error:
                errors.append(f"{call.name}: {type(error).__name__}")
                return
            latencies[call.name].append((time.perf_counter() - started) * 1000)
            statuses[f"{call.name} {response.status_code}"] += 1
            if response.status_code >= 500:
                errors.append(f"{call.name}: {response.status_code}")

        total = int(rate * duration_s)
        tasks = []
        start = time.perf_counter()
        for index in range(total):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(rng.choices(calls, weights)[0])))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    every = [v for values in latencies.values() for v in values]
    per_call = {name: summary(values) for name, values in sorted(latencies.items())}
    return {
        "requests": total,
        "achieved_rate_per_s": round(total / elapsed, 1),
        "overall": summary(every),
        "per_call": per_call,
        "worst_call_p95_ms": max(s["p95_ms"] for s in per_call.values()),
        "errors": len(errors),
        "error_samples": errors[:10],
        "statuses": dict(sorted(statuses.items())),
    }


async def client_overhead(base_url: str) -> dict[str, Any]:
    """Median and p95 of one read through raw httpx vs through :class:`PlatformClient`."""
    raw_ms: list[float] = []
    client_ms: list[float] = []
    params = {"student_id": DEMO_STUDENT_ID}
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {CLIENT_KEY}"}, timeout=10
    ) as raw:
        client = PlatformClient(base_url, CLIENT_KEY)
        try:
            for _ in range(20):  # warm both connection pools
                await raw.get("/v1/education/bills", params=params)
                await client.education_bills(student_id=DEMO_STUDENT_ID)
            for _ in range(OVERHEAD_SAMPLES):  # interleaved, so drift hits both alike
                started = time.perf_counter()
                response = await raw.get("/v1/education/bills", params=params)
                response.json()
                raw_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await client.education_bills(student_id=DEMO_STUDENT_ID)
                client_ms.append((time.perf_counter() - started) * 1000)
        finally:
            await client.aclose()
    return {
        "call": "GET /v1/education/bills",
        "samples": OVERHEAD_SAMPLES,
        "raw_httpx_p50_ms": round(statistics.median(raw_ms), 3),
        "client_p50_ms": round(statistics.median(client_ms), 3),
        "overhead_p50_ms": round(statistics.median(client_ms) - statistics.median(raw_ms), 3),
        "raw_httpx_p95_ms": round(percentile(raw_ms, 95), 3),
        "client_p95_ms": round(percentile(client_ms, 95), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 (a benchmark reports, it does not fail)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, running_sandbox(Path(tmp)) as (base_url, pid):
        cpu_before = usage(pid).cpu_s
        load = asyncio.run(drive(base_url, args.rate, args.duration))
        server_cpu_s = usage(pid).cpu_s - cpu_before
        overhead = asyncio.run(client_overhead(base_url))
        load_average = os.getloadavg()
    report = {
        "benchmark": "sandbox_latency",
        "profile": "embedded (SQLite)",
        "rate_per_s": args.rate,
        "duration_s": args.duration,
        "target_p95_ms": TARGET_P95_MS,
        "within_target": load["worst_call_p95_ms"] <= TARGET_P95_MS and load["errors"] == 0,
        **load,
        "server_cpu_ms_per_request": round(server_cpu_s * 1000 / max(1, load["requests"]), 2),
        "client_overhead": overhead,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m_at_end": round(load_average[0], 2),
            "python": platform.python_version(),
        },
    }
    out = paths.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (out / "sandbox_latency.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
