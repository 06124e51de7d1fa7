"""Rasa's anonymous usage reporting is off in every process the runner starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunningSystem

pytestmark = pytest.mark.integration


def environment_of(pid: int) -> dict[str, str]:
    """The environment a running process was started with, from /proc."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (entry.decode(errors="replace").split("=", 1) for entry in raw.split(b"\0") if entry)
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def test_every_started_process_has_rasa_telemetry_off(system: RunningSystem) -> None:
    assert set(system.group.processes) >= {"rasa", "actions", "gateway", "sandbox"}
    for name, process in system.group.processes.items():
        assert process.poll() is None, f"{name} is not running"
        env = environment_of(process.pid)
        assert env.get("RASA_TELEMETRY_ENABLED") == "false", name
