"""Start the processes of a profile, wait until each is healthy, stop them all cleanly.

Each process runs in its own session (so a terminal's Ctrl-C reaches only the runner, which
then stops them in order) and asks the kernel to send it SIGTERM if the runner dies, so no
process outlives the runner. Used by ``banshi run`` and by the integration tests alike.

With replicas (``BANSHI_*_REPLICAS``, scale profile) each replica listens on a loopback port of
its own and nginx (:mod:`banshi.load_balancer`) takes the ports the single processes would
have. Stopping goes from the front to the back, one kind at a time: the gateways finish their
turns (Rasa still up), then Rasa finishes its own (the action servers still up), and so on.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from banshi import load_balancer, paths
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
    kind: str = ""
    """The process kind (``gateway``, ``rasa``…; default: the name): a kind stops as one."""
    port: int | None = None
    """The port the process listens on (replicas: their own loopback port)."""
    stop_signal: int = signal.SIGTERM
    """What asks the process to stop gracefully."""
    stop_timeout_s: float = 15.0
    """How long it may take to stop before it is killed."""
    redact: re.Pattern[bytes] | None = None
    """A secret its output may show: each match's first group is kept, the rest is ``***``."""

    def __post_init__(self) -> None:
        self.kind = self.kind or self.name


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


def _tcp_open(host: str, port: int) -> Callable[[httpx.Client], bool]:
    def check(_client: httpx.Client) -> bool:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            return False

    return check


STOP_ORDER = ("gateway", "rasa", "actions", "nginx", "sandbox")
"""Kinds in the order they are stopped: each one's clients are stopped before it."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _replicas(kind: str, count: int, port: int, load_balanced: bool) -> list[tuple[str, int]]:
    """(name, port) of each replica: the kind's own name and port when nginx is not in front."""
    if not load_balanced:
        return [(kind, port)]
    if count == 1:
        return [(kind, _free_port())]
    return [(f"{kind}-{i}", _free_port()) for i in range(1, count + 1)]


def process_specs(settings: Settings, model: Path) -> list[ProcessSpec]:
    """The processes of the profile, in start order (with nginx in front of replicas)."""
    settings.check_replicas()
    lb = settings.load_balanced
    actions = _replicas("actions", settings.action_replicas, settings.action_port, lb)
    rasas = _replicas("rasa", settings.rasa_replicas, settings.rasa_port, lb)
    gateways = _replicas("gateway", settings.gateway_replicas, settings.gateway_port, lb)
    specs = [_sandbox_spec(settings)]
    if lb:
        specs.append(_nginx_spec(settings, actions, rasas, gateways))
    specs += [_actions_spec(settings, name, port) for name, port in actions]
    specs += [_rasa_spec(settings, model, name, port) for name, port in rasas]
    specs += [
        _gateway_spec(settings, name, port, lb=lb, first=i == 0)
        for i, (name, port) in enumerate(gateways)
    ]
    return specs


def _nginx_spec(
    settings: Settings,
    actions: list[tuple[str, int]],
    rasas: list[tuple[str, int]],
    gateways: list[tuple[str, int]],
) -> ProcessSpec:
    config = load_balancer.write_config(
        [
            load_balancer.Upstream(
                "gateways",
                f"{settings.host}:{settings.gateway_port}",
                tuple(port for _, port in gateways),
                websockets=True,
                keepalive=True,
            ),
            load_balancer.Upstream(
                "rasa", f"127.0.0.1:{settings.rasa_port}", tuple(port for _, port in rasas)
            ),
            load_balancer.Upstream(
                "actions", f"127.0.0.1:{settings.action_port}", tuple(port for _, port in actions)
            ),
        ],
        prefix=settings.var_dir / "nginx",
        log_dir=settings.var_dir / "logs",
        max_body_bytes=settings.max_body_bytes,
    )
    return ProcessSpec(
        "nginx",
        load_balancer.command(config),
        _tcp_open("127.0.0.1", settings.action_port),
        ready_timeout_s=20,
        port=settings.gateway_port,
        # SIGQUIT: stop accepting, finish the requests in flight.
        stop_signal=signal.SIGQUIT,
        stop_timeout_s=settings.shutdown_grace_s + 5,
        redact=load_balancer.SECRET_IN_QUERY,
    )


def _sandbox_spec(settings: Settings) -> ProcessSpec:
    return ProcessSpec(
        "sandbox",
        [
            sys.executable,
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
        port=settings.sandbox_port,
    )


def _actions_spec(settings: Settings, name: str, port: int) -> ProcessSpec:
    return ProcessSpec(
        name,
        [sys.executable, "-m", "actions.server"],
        _http_ok(f"http://127.0.0.1:{port}/health"),
        ready_timeout_s=90,
        env={"BANSHI_ACTION_PORT": str(port)},
        kind="actions",
        port=port,
    )


def _rasa_spec(settings: Settings, model: Path, name: str, port: int) -> ProcessSpec:
    endpoints = paths.ENDPOINTS_DIR / f"{settings.profile}.yml"
    return ProcessSpec(
        name,
        [
            sys.executable,
            "-m",
            "banshi.rasa_server",
            "run",
            "--enable-api",
            # The token comes from BANSHI_RASA_TOKEN in the environment, never from here.
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(paths.CREDENTIALS),
            "--model",
            str(model),
        ],
        _http_ok(
            f"http://127.0.0.1:{port}/status",
            params={"token": settings.rasa_token},
            expect=lambda r: bool(r.json().get("model_file")),
        ),
        ready_timeout_s=300,
        env={
            "TICKET_LOCK_LIFETIME": str(settings.rasa_lock_lifetime_s),
            "BANSHI_RASA_TURNS_AT_ONCE": str(settings.rasa_turns_at_once),
        },
        kind="rasa",
        port=port,
        stop_timeout_s=settings.shutdown_grace_s + 5,
    )


def _gateway_spec(
    settings: Settings, name: str, port: int, *, lb: bool, first: bool
) -> ProcessSpec:
    env: dict[str, str] = {}
    if lb:
        # Behind nginx: the client's address comes in X-Forwarded-For from 127.0.0.1. The SIP
        # user agent runs in the first gateway only (a call stays where its RTP is).
        env["BANSHI_TRUSTED_PROXIES"] = ",".join(
            filter(None, [settings.trusted_proxies, "127.0.0.1"])
        )
        if not first:
            env["BANSHI_PHONE_ENABLED"] = "false"
    return ProcessSpec(
        name,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "banshi.apps:gateway_app",
            "--factory",
            # The client address is the peer's; X-Forwarded-For only from the proxies of
            # BANSHI_TRUSTED_PROXIES (handoff/api/deps.py), never uvicorn's own default.
            "--no-proxy-headers",
            "--host",
            "127.0.0.1" if lb else settings.host,
            "--port",
            str(port),
            # SIGTERM: stop accepting, finish the turns in flight for at most this long.
            "--timeout-graceful-shutdown",
            f"{settings.shutdown_grace_s:g}",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        _http_ok(f"http://127.0.0.1:{port}/healthz"),
        ready_timeout_s=60,
        env=env,
        kind="gateway",
        port=port,
        stop_timeout_s=settings.shutdown_grace_s + settings.shutdown_drain_s + 5,
    )


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
            self._pump(spec.name, process, spec.redact)
        with httpx.Client() as client:
            for spec in self.specs:
                self._wait_healthy(spec, client)

    def _pump(
        self, name: str, process: subprocess.Popen[bytes], redact: re.Pattern[bytes] | None = None
    ) -> None:
        """Copy a process's output to its log file and (optionally) the terminal."""
        log = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None  # noqa: SIM115
        if log:
            self._logs.append(log)
        prefix = f"{name:>8} | ".encode()

        def pump() -> None:
            assert process.stdout is not None
            for line in iter(process.stdout.readline, b""):
                if redact is not None:
                    line = redact.sub(rb"\1***", line)
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
        """Stop every process, kind by kind in :data:`STOP_ORDER` (others first, in reverse
        start order): its stop signal to each process group, and SIGKILL to what is left after
        its stop timeout (at least ``timeout_s``)."""
        specs = {spec.name: spec for spec in self.specs}
        kinds: list[str] = []
        for name in reversed(list(self.processes)):
            kind = specs[name].kind if name in specs else name
            if kind not in kinds:
                kinds.append(kind)
        kinds.sort(key=lambda k: STOP_ORDER.index(k) if k in STOP_ORDER else -1)
        for kind in kinds:
            names = [
                name
                for name in self.processes
                if (specs[name].kind if name in specs else name) == kind
            ]
            self._stop_kind(names, specs, timeout_s)
        for thread in self._threads:
            thread.join(timeout=2)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def _stop_kind(self, names: list[str], specs: dict[str, ProcessSpec], timeout_s: float) -> None:
        longest = timeout_s
        for name in names:
            process = self.processes[name]
            spec = specs.get(name)
            if spec is not None:
                longest = max(longest, spec.stop_timeout_s)
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, spec.stop_signal if spec else signal.SIGTERM)
        deadline = time.monotonic() + longest
        for name in names:
            process = self.processes[name]
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
