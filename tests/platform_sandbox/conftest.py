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


@pytest.fixture(scope="session")
def strict_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A process with 3-second codes, tokens and pay codes, and a tight rate limit
    (2 requests/s, bursts of 5), for expiry and 429 tests."""
    yield from start_sandbox(
        tmp_path_factory.mktemp("strict"),
        citizen_token_ttl_s="3",
        sms_code_ttl_s="3",
        presentation_ttl_s="3",
        sms_resend_interval_s="1",
        payment_ttl_s="3",
        rate_limit_per_s="2",
        rate_limit_burst="5",
    )


@pytest.fixture
def strict(strict_process: RunningSandbox) -> Iterator[httpx.Client]:
    """An authenticated client of the strict process, reset (faults and limits cleared)."""
    response = httpx.post(f"{strict_process.base_url}/v1/sandbox/reset", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    with httpx.Client(base_url=strict_process.base_url, headers=AUTH, timeout=30) as http:
        yield http
