"""Shared fixtures: a free port, and the whole system really started (session-wide)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from banshi import paths
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model


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


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Sandbox, action server, Rasa and gateway as real processes on free ports."""
    var_dir = tmp_path_factory.mktemp("var")
    settings = Settings(
        profile="embedded",
        var_dir=var_dir,
        models_dir=paths.ROOT / "var" / "models",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        sandbox_port=free_port(),
        rasa_token="",
        action_token="",
        service_token="",
        platform_client_key="",
        platform_url="",
        gateway_database_url="",
    ).with_secrets()
    model = ensure_model(settings.models_dir)
    with ProcessGroup(
        settings, process_specs(settings, model), log_dir=var_dir / "logs", echo=False
    ) as group:
        yield RunningSystem(settings, group)
