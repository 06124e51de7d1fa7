"""Helpers of the platform-sandbox tests: run the sandbox process, check error bodies.

The module has a unique name so that tests can import it next to other test folders.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from platform_sandbox.seed import DemoCitizen
from tests import days

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_KEY = "test-client-key"
SECOND_CLIENT_KEY = "second-client-key"
AUTH = {"Authorization": f"Bearer {CLIENT_KEY}"}
STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class RunningSandbox:
    """A started sandbox process."""

    base_url: str
    db_path: Path
    log_path: Path
    database_url: str = ""
    """The SQLAlchemy URL the process uses (SQLite file at ``db_path`` unless PostgreSQL)."""

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the sandbox's database file."""
        connection = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"sandbox exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"sandbox not healthy after {STARTUP_TIMEOUT_S}s:\n{log_path.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the process group started for the sandbox: SIGTERM, then SIGKILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def start_sandbox(
    directory: Path, database_url: str | None = None, **settings: str
) -> Iterator[RunningSandbox]:
    """Run ``uvicorn platform_sandbox.app:create_app --factory`` until the generator closes.

    ``settings`` become ``BANSHI_SANDBOX_<NAME>`` environment variables; the database is a
    SQLite file in ``directory`` unless ``database_url`` is given.
    """
    port = free_port()
    db_path = directory / "sandbox.db"
    log_path = directory / "sandbox.log"
    url = database_url or f"sqlite:///{db_path}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANSHI_SANDBOX_")}
    env["BANSHI_SANDBOX_DATABASE_URL"] = url
    env["BANSHI_TODAY"] = days.today().isoformat()
    env["BANSHI_SANDBOX_CLIENT_KEYS"] = f"{CLIENT_KEY}, {SECOND_CLIENT_KEY}"
    env.update({f"BANSHI_SANDBOX_{name.upper()}": value for name, value in settings.items()})
    command = [
        sys.executable, "-m", "uvicorn", "platform_sandbox.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base_url, log_path)
        yield RunningSandbox(
            base_url=base_url, db_path=db_path, log_path=log_path, database_url=url
        )
    finally:
        _stop(process)


def assert_error(
    response: httpx.Response, status: int, code: str, *, extra: tuple[str, ...] = ()
) -> None:
    """The response is the contract's error body with ``status`` and ``code`` (and the
    ``extra`` fields of that error, such as ``pending_payment``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", *extra}, body
    assert body["error"]["code"] == code, body
    message = body["error"]["message"]
    assert isinstance(message, str)
    assert any("\u4e00" <= char <= "\u9fff" for char in message), message


def identify(http: httpx.Client, citizen: DemoCitizen) -> dict[str, str]:
    """``X-Citizen-Token`` headers for ``citizen``, from a kiosk card read (no SMS limit)."""
    response = http.post(
        "/v1/identity/card-reads",
        json={"card_payload": {"id_number": citizen.id_number, "name": citizen.name}},
    )
    assert response.status_code == 200, response.text
    return {"X-Citizen-Token": response.json()["citizen_token"]}


def sandbox_post(sandbox: RunningSandbox, path: str, body: Any = None) -> httpx.Response:
    """POST to a sandbox helper with the test client key."""
    return httpx.post(f"{sandbox.base_url}{path}", headers=AUTH, json=body, timeout=30)
