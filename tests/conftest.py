"""Shared fixtures: a free port, and the whole system really started (session-wide).

The run's calendar day is fixed when the session starts (:func:`tests.days.fix_today`): today's
Beijing date, or the day a run pins with ``BANSHI_TODAY=2027-12-06 make test``. The variable
is then taken out of this process's environment: the embedded-profile systems the tests start
are given the day through their settings, and the scale profile (which refuses a pinned day)
follows the real calendar.

Rasa's anonymous usage reporting is off in this process too (the NLU tests train in it).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from banshi import paths
from banshi.profiles import prepare
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import NO_TELEMETRY, Settings
from banshi.training import ensure_model
from tests import days


def pytest_configure(config: pytest.Config) -> None:
    """Fix the run's calendar day and turn Rasa's telemetry off (see the module's docstring)."""
    days.fix_today(os.environ.pop("BANSHI_TODAY", None))
    os.environ.update(NO_TELEMETRY)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningSystem:
    """The started processes and how to reach them."""

    settings: Settings
    group: ProcessGroup

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    def reset_platform(self) -> None:
        """Reseed the sandbox, so a test that pays starts from the seeded bills."""
        with self.platform() as platform:
            response = platform.post("/v1/sandbox/reset")
            assert response.status_code == 200, response.text

    def platform(self) -> httpx.Client:
        """An HTTP client for the sandbox with the platform client key."""
        return httpx.Client(
            base_url=self.settings.sandbox_url,
            headers={"Authorization": f"Bearer {self.settings.platform_client_key}"},
            timeout=10,
        )


def system_settings(var_dir: Path, **overrides: Any) -> Settings:
    """Settings for a system on free ports with its state under ``var_dir``.

    Secrets and URLs are set explicitly so that a developer's environment or .env cannot leak in.
    """
    values: dict[str, Any] = {
        "profile": "embedded",
        "var_dir": var_dir,
        # BANSHI_TEST_MODELS_DIR: a model trained elsewhere (a branch's own model), so that a
        # test run never retrains into, or replaces, the shared var/models.
        "models_dir": Path(
            os.environ.get("BANSHI_TEST_MODELS_DIR") or paths.ROOT / "var" / "models"
        ),
        "gateway_port": free_port(),
        "rasa_port": free_port(),
        "action_port": free_port(),
        "sandbox_port": free_port(),
        "rasa_token": "",
        "action_token": "",
        "service_token": "",
        "platform_client_key": "",
        "platform_url": "",
        "gateway_database_url": "",
        "today": days.today() if overrides.get("profile", "embedded") == "embedded" else None,
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def running_system(settings: Settings) -> Iterator[RunningSystem]:
    """Prepare the profile, start every process, and stop them all afterwards."""
    model = ensure_model(settings.models_dir)
    prepare(settings)
    with ProcessGroup(
        settings, process_specs(settings, model), log_dir=settings.var_dir / "logs", echo=False
    ) as group:
        yield RunningSystem(settings, group)


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Sandbox, action server, Rasa and gateway as real processes on free ports."""
    settings = system_settings(tmp_path_factory.mktemp("var")).with_secrets()
    with running_system(settings) as running:
        yield running
