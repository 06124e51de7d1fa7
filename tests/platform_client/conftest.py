"""Fixtures: real sandbox processes for the client to talk to (reset before each test)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.platform_sandbox.sandbox_testkit import AUTH, RunningSandbox, start_sandbox


@pytest.fixture(scope="session")
def client_sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """The sandbox the client tests call (default settings)."""
    yield from start_sandbox(tmp_path_factory.mktemp("client-sandbox"))


@pytest.fixture(scope="session")
def limited_sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox allowing 1 request/s in bursts of 2, for 429 handling."""
    yield from start_sandbox(
        tmp_path_factory.mktemp("limited-sandbox"), rate_limit_per_s="1", rate_limit_burst="2"
    )


def _reset(sandbox: RunningSandbox) -> RunningSandbox:
    response = httpx.post(f"{sandbox.base_url}/v1/sandbox/reset", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    return sandbox


@pytest.fixture
def sandbox(client_sandbox_process: RunningSandbox) -> RunningSandbox:
    """The client tests' sandbox, reset to the seed (faults cleared)."""
    return _reset(client_sandbox_process)


@pytest.fixture
def limited_sandbox(limited_sandbox_process: RunningSandbox) -> RunningSandbox:
    """The rate-limited sandbox, reset (counters cleared)."""
    return _reset(limited_sandbox_process)
