"""Start the processes of a profile, wait until each is healthy, stop them all cleanly.

Each process runs in its own session (so a terminal's Ctrl-C reaches only the runner, which
then stops them in order) and asks the kernel to send it SIGTERM if the runner dies, so no
process outlives the runner. Used by ``banshi run`` and by the integration tests alike.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from banshi import paths
from banshi.settings import Settings

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:  # pragma: no cover - runs in the child
    """In the child: get SIGTERM when the runner exits, however it exits."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ProcessSpec:
    """One process to run: its command, its health check and how long it may take to start."""

    name: str
    argv: list[str]
    health: Callable[[httpx.Client], bool]
    ready_timeout_s: float = 120.0
    env: dict[str, str] = field(default_factory=dict)


class ProcessFailed(RuntimeError):
    """A process exited or did not become healthy in time."""


def _http_ok(
    url: str,
    *,
    params: dict[str, str] | None = None,
    expect: Callable[[httpx.Response], bool] | None = None,
) -> Callable[[httpx.Client], bool]:
    def check(client: httpx.Client) -> bool:
        try:
            response = client.get(url, params=params, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and (expect is None or expect(response))

    return check


def process_specs(settings: Settings, model: Path) -> list[ProcessSpec]:
    """The processes of the profile, in start order."""
    py = sys.executable
    endpoints = paths.ENDPOINTS_DIR / f"{settings.profile}.yml"
    return [
        ProcessSpec(
            "sandbox",
            [
                py,
                "-m",
                "uvicorn",
                "banshi.apps:sandbox_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(settings.sandbox_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            _http_ok(f"{settings.sandbox_url}/healthz"),
            ready_timeout_s=60,
        ),
        ProcessSpec(
            "actions",
            [py, "-m", "actions.server"],
            _http_ok(f"http://127.0.0.1:{settings.action_port}/health"),
            ready_timeout_s=90,
        ),
        ProcessSpec(
            "rasa",
            [
                py,
                "-m",
                "banshi.rasa_server",
                "run",
                "--enable-api",
                # The token comes from BANSHI_RASA_TOKEN in the environment, never from here.
                "--interface",
                "127.0.0.1",
                "--port",
                str(settings.rasa_port),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(paths.CREDENTIALS),
                "--model",
                str(model),
            ],
            _http_ok(
                f"{settings.rasa_url}/status",
                params={"token": settings.rasa_token},
                expect=lambda r: bool(r.json().get("model_file")),
            ),
            ready_timeout_s=300,
        ),
        ProcessSpec(
            "gateway",
            [
                py,
                "-m",
                "uvicorn",
                "banshi.apps:gateway_app",
                "--factory",
                "--host",
                settings.host,
                "--port",
                str(settings.gateway_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            _http_ok(f"http://127.0.0.1:{settings.gateway_port}/healthz"),
            ready_timeout_s=60,
        ),
    ]


class ProcessGroup:
    """A set of started processes; a context manager that always stops them."""

    def __init__(
        self,
        settings: Settings,
        specs: list[ProcessSpec],
        *,
        log_dir: Path | None = None,
        echo: bool = True,
    ) -> None:
        self.settings = settings
        self.specs = specs
        self.log_dir = log_dir
        self.echo = echo
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._threads: list[threading.Thread] = []
        self._logs: list[IO[bytes]] = []

    def __enter__(self) -> ProcessGroup:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start every process, then wait until each one is healthy (in start order)."""
        env = {
            **os.environ,
            **self.settings.child_env(),
            "PYTHONUNBUFFERED": "1",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        for spec in self.specs:
            process = subprocess.Popen(
                spec.argv,
                cwd=paths.ROOT,
                env={**env, **spec.env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
            self.processes[spec.name] = process
            self._pump(spec.name, process)
        with httpx.Client() as client:
            for spec in self.specs:
                self._wait_healthy(spec, client)

    def _pump(self, name: str, process: subprocess.Popen[bytes]) -> None:
        """Copy a process's output to its log file and (optionally) the terminal."""
        log = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None  # noqa: SIM115
        if log:
            self._logs.append(log)
        prefix = f"{name:>8} | ".encode()

        def pump() -> None:
            assert process.stdout is not None
            for line in iter(process.stdout.readline, b""):
                if log:
                    log.write(line)
                    log.flush()
                if self.echo:
                    sys.stdout.buffer.write(prefix + line)
                    sys.stdout.buffer.flush()

        thread = threading.Thread(target=pump, name=f"log-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _wait_healthy(self, spec: ProcessSpec, client: httpx.Client) -> None:
        deadline = time.monotonic() + spec.ready_timeout_s
        process = self.processes[spec.name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ProcessFailed(
                    f"{spec.name} exited with code {process.returncode}" + self._log_hint(spec.name)
                )
            if spec.health(client):
                return
            time.sleep(0.25)
        raise ProcessFailed(
            f"{spec.name} was not healthy after {spec.ready_timeout_s:.0f} s"
            + self._log_hint(spec.name)
        )

    def _log_hint(self, name: str) -> str:
        if not self.log_dir:
            return " (see its output above)"
        log = self.log_dir / f"{name}.log"
        tail = log.read_text(errors="replace").splitlines()[-25:] if log.exists() else []
        return f"; last lines of {log}:\n" + "\n".join(tail)

    def check_alive(self) -> str | None:
        """The name of a process that has exited, if any."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop every process (reverse start order): SIGTERM to its group, then SIGKILL."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=2)
        for log in self._logs:
            log.close()
        self._logs.clear()
