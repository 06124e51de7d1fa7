"""Fixtures: the platform sandbox as a real uvicorn process, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sandbox_testkit import AUTH, RunningSandbox, start_sandbox


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """One sandbox process for the whole session (helpers enabled)."""
    yield from start_sandbox(tmp_path_factory.mktemp("sandbox"))


@pytest.fixture(scope="session")
def sandbox_without_helpers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningSandbox]:
    """A second process started with ``BANSHI_SANDBOX_HELPERS_ENABLED=false``."""
    yield from start_sandbox(tmp_path_factory.mktemp("no-helpers"), helpers_enabled="false")


@pytest.fixture
def sandbox(sandbox_process: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset to the seed data before the test."""
    response = httpx.post(f"{sandbox_process.base_url}/v1/sandbox/reset", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    return sandbox_process


@pytest.fixture
def client(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """An authenticated HTTP client of the freshly reset sandbox."""
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=30) as http:
        yield http


@pytest.fixture
def anonymous(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client of the sandbox without credentials."""
    with httpx.Client(base_url=sandbox.base_url, timeout=30) as http:
        yield http
