"""banshi.runner: processes become healthy, and stopping leaves no process behind."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx
import pytest

from banshi.runner import ProcessFailed, ProcessGroup, ProcessSpec
from banshi.settings import Settings
from tests.conftest import free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _server(port: int, child_pid_file: Path) -> list[str]:
    """A tiny HTTP server that also starts a grandchild (which must die with it)."""
    code = (
        "import http.server, subprocess, sys, pathlib;"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        f"pathlib.Path({str(child_pid_file)!r}).write_text(str(p.pid));"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler)"
        ".serve_forever()"
    )
    return [sys.executable, "-c", code]


def _healthy(port: int):
    def check(client: httpx.Client) -> bool:
        try:
            return client.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def test_starts_waits_and_stops_the_whole_process_group(tmp_path: Path) -> None:
    port = free_port()
    grandchild = tmp_path / "grandchild.pid"
    spec = ProcessSpec("web", _server(port, grandchild), _healthy(port), ready_timeout_s=20)
    with ProcessGroup(
        Settings(var_dir=tmp_path), [spec], log_dir=tmp_path / "logs", echo=False
    ) as group:
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        server_pid = group.processes["web"].pid
        grandchild_pid = int(grandchild.read_text())
        assert _alive(grandchild_pid)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (_alive(server_pid) or _alive(grandchild_pid)):
        time.sleep(0.1)
    assert not _alive(server_pid)
    assert not _alive(grandchild_pid)


def test_a_process_that_exits_is_reported_with_its_log(tmp_path: Path) -> None:
    spec = ProcessSpec(
        "broken",
        [sys.executable, "-c", "print('boom: no config'); raise SystemExit(3)"],
        lambda _client: False,
        ready_timeout_s=20,
    )
    with (
        pytest.raises(ProcessFailed, match="broken exited with code 3") as caught,
        ProcessGroup(Settings(var_dir=tmp_path), [spec], log_dir=tmp_path / "logs", echo=False),
    ):
        pass
    assert "boom: no config" in str(caught.value)


def test_a_process_that_never_gets_healthy_times_out(tmp_path: Path) -> None:
    spec = ProcessSpec(
        "slow",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        lambda _client: False,
        ready_timeout_s=1,
    )
    started = time.monotonic()
    with (
        pytest.raises(ProcessFailed, match="slow was not healthy after 1 s"),
        ProcessGroup(Settings(var_dir=tmp_path), [spec], echo=False),
    ):
        pass
    assert time.monotonic() - started < 20
