"""Starting the gateway twice on one database is harmless: processes that start at the same
moment take turns to migrate (the migration lock), and a restart finds nothing to do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from banshi import paths
from banshi.migrate import current_revision
from tests.conftest import free_port
from tests.gateway_db import kit
from tests.gateway_db.conftest import NewDatabase

pytestmark = pytest.mark.integration

# Each process sleeps until the same moment, then migrates: the migrations really overlap.
_MIGRATE_AT = """
import asyncio, sys, time
from banshi.migrate import upgrade_to_head
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
asyncio.run(upgrade_to_head(sys.argv[1]))
"""


async def test_processes_migrating_at_once_take_turns(new_database: NewDatabase) -> None:
    url = new_database()
    start_at = time.time() + 4
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _MIGRATE_AT, url, str(start_at)],
            cwd=paths.ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, "\n".join(outputs)
    assert await current_revision(url) == kit.head()
    assert kit.version_rows(url) == [(kit.head(),)]
    assert kit.differences(url) == []


async def test_two_gateways_starting_at_once_then_a_restart_are_harmless(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    url = new_database()
    with ExitStack() as stack:
        starting = [stack.enter_context(_gateway(url, tmp_path / f"g{n}")) for n in (1, 2)]
        for ready in starting:
            ready()
    assert await current_revision(url) == kit.head()
    kit.fill(url)
    rows = kit.all_rows(url)
    with _gateway(url, tmp_path / "again") as ready:
        ready()
    assert kit.all_rows(url) == rows
    assert kit.version_rows(url) == [(kit.head(),)]


@contextmanager
def _gateway(database_url: str, var_dir: Path) -> Iterator[object]:
    """A gateway process on ``database_url`` (Rasa is not running); yields a function that waits
    until its store answers. The process is stopped afterwards."""
    var_dir.mkdir(parents=True)
    port = free_port()
    env = {
        **os.environ,
        "BANSHI_PROFILE": "embedded",
        "BANSHI_VAR_DIR": str(var_dir),
        "BANSHI_GATEWAY_DATABASE_URL": database_url,
        "BANSHI_RASA_PORT": str(free_port()),
        "BANSHI_SANDBOX_PORT": str(free_port()),
        "BANSHI_SERVICE_TOKEN": "test-service-token-0123456789",
    }
    log = (var_dir / "gateway.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "banshi.apps:gateway_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=paths.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def ready() -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, (var_dir / "gateway.log").read_text()
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            assert body["checks"]["store"] == "ok", body
            return
        raise AssertionError("the gateway did not start:\n" + (var_dir / "gateway.log").read_text())

    try:
        yield ready
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
