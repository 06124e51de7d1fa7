"""schemathesis over ``/openapi.json``: no server errors, every response matches the schema.

schemathesis clashes with Rasa's pins, so it runs from the second environment
``.venv-tools`` (``make tools-env`` / ``scripts/tools-env.sh``) as a subprocess against a
sandbox process. Without ``.venv-tools`` the test skips, except under ``CI=true``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sandbox_testkit import AUTH, CLIENT_KEY, REPO_ROOT, RunningSandbox, identify, start_sandbox

from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE
from tests.needs import need

pytestmark = pytest.mark.integration

SCHEMATHESIS = REPO_ROOT / ".venv-tools" / "bin" / "schemathesis"
MAX_EXAMPLES = 20
"""Test cases per operation and phase: about 1,300 requests, well under two minutes."""
TIMEOUT_S = 110
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance"
)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox without helpers (faults and resets stay out of reach) and without a rate
    limit (schemathesis sends as fast as it can)."""
    yield from start_sandbox(
        tmp_path_factory.mktemp("schemathesis"), helpers_enabled="false", rate_limit_per_s="0"
    )


def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(
    fuzz_target: RunningSandbox, tmp_path: Path
) -> None:
    need(SCHEMATHESIS.exists(), str(SCHEMATHESIS.relative_to(REPO_ROOT)), "run `make tools-env`")
    with httpx.Client(base_url=fuzz_target.base_url, headers=AUTH, timeout=30) as http:
        token = identify(http, DEMO_ALLOWANCE_ELIGIBLE)["X-Citizen-Token"]
    command = [
        str(SCHEMATHESIS), "run", f"{fuzz_target.base_url}/openapi.json",
        "-H", f"Authorization: Bearer {CLIENT_KEY}",
        "-H", f"X-Citizen-Token: {token}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", "20261127",
        "--generation-database", "none",
        # One worker: Python 3.11's ast.parse, which Hypothesis calls to describe a filter,
        # is not thread-safe (CPython gh-106905: "AST constructor recursion depth mismatch").
        "--workers", "1",
        "--request-timeout", "10",
        "--no-color",
    ]  # fmt: skip
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert " passed" in result.stdout and "failures" not in result.stdout.split("SUMMARY")[-1]
