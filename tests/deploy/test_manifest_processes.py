"""The manifests' processes really run: the gateway, Rasa and the action server are started
with exactly the commands and environments ``deploy/k8s`` gives their containers (ConfigMap,
Secret keys, their own variables), and a citizen's turns go through all three, the scale
profile's PostgreSQL, Redis and RabbitMQ, and the platform sandbox.

What the cluster provides is played on loopback: the Services' names become 127.0.0.1 and free
ports, the Secret's placeholders test values, ``/app`` this checkout. Only the variables the
manifests set are rewritten, none is added, so a setting the manifests forget fails here. The
health checks are the manifests' own readiness probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import urlparse

import httpx
import psycopg2
import pytest

from banshi.runner import ProcessGroup, ProcessSpec, _http_ok, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chat import Chat
from tests.conftest import free_port, system_settings
from tests.deploy.manifests import Manifests, container_of, environment
from tests.scale.services import (
    POSTGRES,
    RABBITMQ,
    REDIS,
    drop_databases,
    queue_depth,
    require_services,
)

pytestmark = [pytest.mark.integration, pytest.mark.scale]

CONTAINER_PORTS = {"banshi-gateway": "8000", "banshi-rasa": "5005", "banshi-actions": "5055"}


class _NoDerivedSettings:
    """Stands in for the runner's settings: the processes get the manifests' environment, not
    the variables ``Settings.child_env`` would derive."""

    def child_env(self) -> dict[str, str]:
        return {}


@dataclass
class Cluster:
    gateway: str
    database: str
    queue: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_services()
    k8s = Manifests.load()
    tmp = Path(tmp_path_factory.mktemp("cluster"))
    database = f"banshi_k8s_{secrets.token_hex(4)}"
    queue = f"{database}_events"
    key = secrets.token_urlsafe(24)
    ports = {name: free_port() for name in CONTAINER_PORTS}
    pg, redis_url, rabbit = urlparse(POSTGRES), urlparse(REDIS), urlparse(RABBITMQ)

    # The platform: the sandbox, as the tests run it (it is not part of the deployment).
    sandbox_settings = system_settings(tmp / "sandbox", platform_client_key=key)
    sandbox_spec = next(
        s for s in process_specs(sandbox_settings, Path("unused")) if s.name == "sandbox"
    )

    model = ensure_model(sandbox_settings.models_dir)
    loopback = {
        # Service names and ports.
        "BANSHI_RASA_HOST": "127.0.0.1",
        "BANSHI_GATEWAY_PORT": str(ports["banshi-gateway"]),
        "BANSHI_RASA_PORT": str(ports["banshi-rasa"]),
        "BANSHI_ACTION_PORT": str(ports["banshi-actions"]),
        "BANSHI_ACTION_URL": f"http://127.0.0.1:{ports['banshi-actions']}/webhook",
        "BANSHI_GATEWAY_URL": f"http://127.0.0.1:{ports['banshi-gateway']}",
        "BANSHI_PLATFORM_URL": sandbox_settings.sandbox_url,
        # The pods listen on all their interfaces; here, loopback.
        "BANSHI_HOST": "127.0.0.1",
        "BANSHI_ACTION_HOST": "127.0.0.1",
        "BANSHI_SIP_HOST": "127.0.0.1",
        # The phone has its own tests; SIP on 5060 would clash with other gateways here.
        "BANSHI_PHONE_ENABLED": "false",
        # The Secret, filled.
        "BANSHI_RASA_TOKEN": secrets.token_urlsafe(24),
        "BANSHI_ACTION_TOKEN": secrets.token_urlsafe(24),
        "BANSHI_SERVICE_TOKEN": secrets.token_urlsafe(24),
        "BANSHI_PLATFORM_CLIENT_KEY": key,
        "BANSHI_GATEWAY_DATABASE_URL": POSTGRES.replace(
            "postgresql://", "postgresql+asyncpg://"
        ).rsplit("/", 1)[0]
        + f"/{database}",
        "BANSHI_REDIS_URL": REDIS,
        "BANSHI_PG_PASSWORD": pg.password or "",
        "BANSHI_RABBITMQ_PASSWORD": rabbit.password or "",
        # The external services (ExternalName Services in the cluster).
        "BANSHI_PG_HOST": pg.hostname or "127.0.0.1",
        "BANSHI_PG_PORT": str(pg.port or 5432),
        "BANSHI_PG_USER": pg.username or "postgres",
        "BANSHI_REDIS_HOST": redis_url.hostname or "127.0.0.1",
        "BANSHI_REDIS_PORT": str(redis_url.port or 6379),
        "BANSHI_REDIS_DB": redis_url.path.lstrip("/") or "0",
        "BANSHI_RABBITMQ_HOST": rabbit.hostname or "127.0.0.1",
        "BANSHI_RABBITMQ_PORT": str(rabbit.port or 5672),
        "BANSHI_RABBITMQ_USER": rabbit.username or "guest",
        "BANSHI_RABBITMQ_QUEUE": queue,
        "BANSHI_RASA_TRACKER_DB": f"{database}_rasa",
        # The image's folders.
        "BANSHI_VAR_DIR": str(tmp / "var"),
        "BANSHI_MODELS_DIR": str(model.parent),
    }
    specs = []
    for name in ("banshi-actions", "banshi-rasa", "banshi-gateway"):
        container = container_of(k8s, name)
        env = {k: loopback.get(k, v) for k, v in environment(k8s, name).items()}
        argv = [
            {"python": sys.executable, "0.0.0.0": "127.0.0.1", "/app/models": str(model)}.get(a, a)
            for a in container["command"]
        ]
        if "--port" in argv:
            argv[argv.index("--port") + 1] = str(ports[name])
        probe = container["readinessProbe"]["httpGet"]["path"]
        health = _http_ok(f"http://127.0.0.1:{ports[name]}{probe}")
        specs.append(ProcessSpec(name, argv, health, ready_timeout_s=300, env=env))

    # The gateway's database exists before it starts (README: Deployment).
    connection = psycopg2.connect(POSTGRES, connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    connection.close()
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(
                ProcessGroup(sandbox_settings, [sandbox_spec], log_dir=tmp / "logs", echo=False)
            )
            with pytest.MonkeyPatch.context() as patch:
                for variable in [v for v in os.environ if v.startswith("BANSHI_")]:
                    patch.delenv(variable)
                stack.enter_context(
                    ProcessGroup(
                        cast(Settings, _NoDerivedSettings()),
                        specs,
                        log_dir=tmp / "logs",
                        echo=False,
                    )
                )
            yield Cluster(f"http://127.0.0.1:{ports['banshi-gateway']}", database, queue)
    finally:
        drop_databases([database, f"{database}_rasa"])
        with contextlib.suppress(Exception):
            asyncio.run(queue_depth(queue, delete=True))


def test_a_citizen_is_served_by_the_processes_the_manifests_describe(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.gateway, timeout=30) as client:
        health = client.get("/healthz").json()
        assert health["checks"] == {"store": "ok", "rasa": "ok"}
        chat = Chat(client)
        for text in ("你好", "我要给孙子交学费", DEMO_STUDENT_ID):
            answer = chat.say(text)
        said = "".join(m["text"] for m in answer["messages"])
    # The bill was read from the platform by the action server, called by Rasa.
    assert "2550.00" in said
    # Rasa kept the dialogue in its PostgreSQL tracker store and published to RabbitMQ.
    tracker = POSTGRES.rsplit("/", 1)[0] + f"/{cluster.database}_rasa"
    connection = psycopg2.connect(tracker, connect_timeout=5)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s", (chat.id,))
        assert cursor.fetchone()[0] >= 10
    connection.close()
    assert asyncio.run(queue_depth(cluster.queue, delete=False)) >= 10


def test_the_init_containers_wait_for_the_data_services() -> None:
    """A pod's init container (``banshi wait-for``, the addresses from the ConfigMap) ends at
    once when the data services answer, and names the one that does not."""
    require_services()
    k8s = Manifests.load()
    pg, redis_url, rabbit = urlparse(POSTGRES), urlparse(REDIS), urlparse(RABBITMQ)
    config = {
        **k8s.named("ConfigMap", "banshi-config")["data"],
        "BANSHI_PG_HOST": pg.hostname or "127.0.0.1",
        "BANSHI_PG_PORT": str(pg.port or 5432),
        "BANSHI_REDIS_HOST": redis_url.hostname or "127.0.0.1",
        "BANSHI_REDIS_PORT": str(redis_url.port or 6379),
        "BANSHI_RABBITMQ_HOST": rabbit.hostname or "127.0.0.1",
        "BANSHI_RABBITMQ_PORT": str(rabbit.port or 5672),
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANSHI_")}

    def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        argv = [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], arg) for arg in command]
        argv[0] = sys.executable if argv[0] == "python" else argv[0]
        return subprocess.run(
            argv, env={**clean, **env}, capture_output=True, text=True, timeout=120
        )

    # Rasa's waits for all three (the others' for fewer, test_manifests.py).
    done = run(deployment_init(k8s, "banshi-rasa"), config)
    assert done.returncode == 0, done.stderr
    assert "banshi.wait_for.ready services=postgres,redis,rabbitmq" in done.stderr
    nothing_there = {**config, "BANSHI_REDIS_PORT": str(free_port())}
    command = deployment_init(k8s, "banshi-rasa")
    command[-1] = "1"  # --timeout 1
    done = run(command, nothing_there)
    assert done.returncode == 1
    assert "banshi.wait_for.waiting service=redis" in done.stderr
    assert f"redis at 127.0.0.1:{nothing_there['BANSHI_REDIS_PORT']} did not answer within 1 s" in (
        done.stderr
    )


def deployment_init(k8s: Manifests, name: str) -> list[str]:
    """The command of a Deployment's init container."""
    (init,) = k8s.named("Deployment", name)["spec"]["template"]["spec"]["initContainers"]
    return list(init["command"])
