"""The scale profile with replicas: two gateways and two Rasa servers (and two action servers)
behind the project's nginx, on real PostgreSQL, Redis and RabbitMQ.

Redis comes up late on purpose (:class:`LateService`): the runner waits for it instead of
failing. Then: conversations through nginx reach both Rasa replicas and keep their order; one
Rasa replica killed mid-conversation loses and duplicates nothing; a gateway stopped (SIGTERM)
during a slow turn answers it; the Rasa servers stopped during a slow turn answer it, and the
gateways stay ready (their /readyz says Rasa is unreachable) and answer bot_unavailable.
The tests run in this order (the later ones stop processes).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from banshi.runner import ProcessSpec
from banshi.settings import Settings
from bench.scale_load import drive, script
from bench.scale_system import reconcile
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chat import Chat
from tests.conftest import RunningSystem
from tests.scale.late_service import LateService
from tests.scale.services import (
    REDIS,
    require_services,
    rows,
    scale_system,
)

pytestmark = pytest.mark.scale

LATE_BY_S = 3.0
"""How long after the start Redis begins to answer."""


@dataclass
class Replicated:
    """The running system, its processes by kind, and what the start-up logged."""

    system: RunningSystem
    waits: list[str]

    @property
    def settings(self) -> Settings:
        return self.system.settings

    def specs(self, kind: str) -> list[ProcessSpec]:
        return [spec for spec in self.system.group.specs if spec.kind == kind]

    def signal(self, name: str, signum: int) -> None:
        os.killpg(self.system.group.processes[name].pid, signum)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicated]:
    require_services()
    redis = urlparse(REDIS)
    records = _Records()
    wait_logger = logging.getLogger("banshi.wait_for")
    wait_logger.addHandler(records)
    wait_logger.setLevel(logging.INFO)
    with LateService(redis.port or 6379, LATE_BY_S) as late_redis:
        try:
            with scale_system(
                Path(tmp_path_factory.mktemp("replicas")),
                redis_url=f"redis://127.0.0.1:{late_redis.port}{redis.path or '/0'}",
                gateway_replicas=2,
                rasa_replicas=2,
                action_replicas=2,
                # A killed replica's conversation locks expire after this long.
                rasa_lock_lifetime_s=6,
                shutdown_drain_s=1.0,
                wait_for_s=60,
            ) as running:
                yield Replicated(running, records.lines)
        finally:
            wait_logger.removeHandler(records)


# ----------------------------------------------------------------------------- helpers
def _converse(chat: Chat, texts: list[str], *, deadline_s: float = 60.0) -> None:
    """Send each turn with a message id, again after a 503 (as the web chat page does),
    until it is answered."""
    for text in texts:
        message_id = uuid.uuid4().hex
        deadline = time.monotonic() + deadline_s
        while True:
            response = chat.post(text, message_id=message_id)
            if response.status_code == 200:
                break
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "bot_unavailable", response.text
            assert time.monotonic() < deadline, f"{text!r} was not answered in {deadline_s} s"
            time.sleep(0.5)


def _tracker(settings: Settings, conversation_id: str) -> list[tuple[str, str]]:
    """The user and bot turns Rasa keeps for the conversation, in order."""
    response = httpx.get(
        f"{settings.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": settings.rasa_token},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [
        (event["event"], event.get("text") or "")
        for event in response.json()["events"]
        if event["event"] in ("user", "bot")
    ]


def _transcript(settings: Settings, conversation_id: str) -> list[tuple[str, str]]:
    """The gateway's transcript as the same pairs; a turn that got ``bot_unavailable`` (and
    was sent again) is left out with its citizen message."""
    stored = rows(
        settings.postgres_url_for(settings.postgres_database),
        "SELECT party, text, payload FROM messages WHERE conversation_id = %s ORDER BY id",
        conversation_id,
    )
    turns: list[tuple[str, str]] = []
    for party, text, payload in stored:
        if party == "system" and json.loads(payload or "{}").get("code") == "bot_unavailable":
            assert turns and turns[-1][0] == "user", stored
            turns.pop()
        elif party in ("citizen", "bot"):
            turns.append(("user" if party == "citizen" else "bot", text))
    return turns


def _rasa_upstreams(settings: Settings, since: str = "") -> set[int]:
    """The Rasa replicas' ports that nginx sent webhook turns to (its access log)."""
    log = settings.var_dir / "logs" / "nginx-access.log"
    # $upstream_addr lists every replica tried ("127.0.0.1:A, 127.0.0.1:B"): nginx tries a
    # killed replica again after its fail_timeout; the last one answered.
    pattern = re.compile(
        rf"^(\S+) {settings.rasa_port} POST /webhooks/rest/webhook \d+ (\S+(?:, \S+)*) \S+$"
    )
    ports = set()
    for line in log.read_text().splitlines():
        match = pattern.match(line)
        if match and match.group(1) >= since:
            ports.add(int(match.group(2).rsplit(":", 1)[1]))
    return ports


def _in_threads(work: list[Chat], texts: list[str]) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(chat: Chat) -> None:
        try:
            _converse(chat, texts)
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(chat,)) for chat in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _set_latency(replicated: Replicated, latency_ms: int) -> None:
    with replicated.system.platform() as platform:
        response = platform.post(
            "/v1/sandbox/faults", json={"latency_ms": latency_ms, "error_rate": 0.0}
        )
        assert response.status_code == 200, response.text


# ----------------------------------------------------------------------------- tests
def test_start_up_waited_for_redis_that_came_late(replicated: Replicated) -> None:
    waits = replicated.waits
    assert any(line.startswith("banshi.wait_for.waiting service=redis") for line in waits), waits
    ready = [line for line in waits if line.startswith("banshi.wait_for.ready")]
    assert len(ready) == 1
    waited_s = float(ready[0].rsplit("waited_s=", 1)[1])
    assert waited_s >= LATE_BY_S - 0.5


def test_every_process_is_ready(replicated: Replicated) -> None:
    settings = replicated.settings
    for kind in ("gateway", "rasa", "actions"):
        specs = replicated.specs(kind)
        assert len(specs) == 2, kind
        for spec in specs:
            response = httpx.get(f"http://127.0.0.1:{spec.port}/readyz", timeout=10)
            assert response.status_code == 200, (spec.name, response.text)
            assert set(response.json()["checks"].values()) == {"ok"}
    rasa = httpx.get(f"{settings.rasa_url}/readyz", timeout=10).json()
    assert rasa["checks"] == {"model": "ok", "tracker_store": "ok", "lock_store": "ok"}
    assert httpx.get(f"{settings.sandbox_url}/readyz", timeout=10).status_code == 200
    public = httpx.get(f"{replicated.system.gateway}/readyz", timeout=10)
    assert public.json() == {"status": "ok", "checks": {"store": "ok", "rasa": "ok"}}


def test_conversations_through_nginx_reach_both_rasa_replicas_in_order(
    replicated: Replicated,
) -> None:
    settings = replicated.settings
    texts = ["你好", "我要给孙子交学费", DEMO_STUDENT_ID]
    with httpx.Client(base_url=replicated.system.gateway, timeout=30) as client:
        chats = [Chat(client) for _ in range(6)]
        for chat in chats:
            _converse(chat, texts[:1])
        assert _in_threads(chats, texts[1:]) == []
    for chat in chats:
        assert chat.id is not None
        tracker = _tracker(settings, chat.id)
        assert [text for event, text in tracker if event == "user"] == texts
        assert tracker == _transcript(settings, chat.id)
        assert any("2550.00" in text for event, text in tracker if event == "bot"), tracker
    rasa_ports = {spec.port for spec in replicated.specs("rasa")}
    deadline = time.monotonic() + 5  # nginx writes its access log every second
    while _rasa_upstreams(settings) != rasa_ports and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _rasa_upstreams(settings) == rasa_ports


def test_twenty_conversations_at_once_are_all_answered_and_all_kept(
    replicated: Replicated,
) -> None:
    """The load benchmark's short version: every accepted message is once in Rasa's tracker
    and once in the gateway's transcript, in order (bench.scale_load runs 200 × 20)."""
    accepted, latencies, errors, _ = asyncio.run(drive(replicated.system.gateway, 20, script(5)))
    assert errors == {}
    assert len(latencies) == 100
    reconciled = reconcile(replicated.settings, accepted)
    assert reconciled.accepted == 100 and reconciled.conversations_checked == 20
    assert (
        reconciled.lost_in_tracker,
        reconciled.duplicated_in_tracker,
        reconciled.lost_in_transcript,
        reconciled.duplicated_in_transcript,
        reconciled.out_of_order,
    ) == (0, 0, 0, 0, 0)


def test_a_killed_rasa_replica_loses_and_duplicates_no_turn(replicated: Replicated) -> None:
    settings = replicated.settings
    victim, survivor = replicated.specs("rasa")
    texts = ["我要给孙子交学费", DEMO_STUDENT_ID, "你好", "我要给孙子交学费"]
    with httpx.Client(base_url=replicated.system.gateway, timeout=30) as client:
        chats = [Chat(client) for _ in range(6)]
        for chat in chats:
            _converse(chat, ["你好"])
        killer = threading.Timer(1.0, replicated.signal, (victim.name, signal.SIGKILL))
        killer.start()
        errors = _in_threads(chats, texts)
        killer.join()
    assert errors == []
    assert replicated.system.group.processes[victim.name].wait(timeout=5) == -signal.SIGKILL
    for chat in chats:
        assert chat.id is not None
        tracker = _tracker(settings, chat.id)
        assert [text for event, text in tracker if event == "user"] == ["你好", *texts]
        assert tracker == _transcript(settings, chat.id)
    # Turns still go through nginx, to the replica left.
    after = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    with httpx.Client(base_url=replicated.system.gateway, timeout=30) as client:
        _converse(Chat(client), ["你好"])
    deadline = time.monotonic() + 5
    while not _rasa_upstreams(settings, after) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _rasa_upstreams(settings, after) == {survivor.port}


def test_a_stopped_gateway_answers_its_slow_turn(replicated: Replicated) -> None:
    gateway = replicated.specs("gateway")[-1]
    with httpx.Client(base_url=f"http://127.0.0.1:{gateway.port}", timeout=30) as client:
        chat = Chat(client)
        _converse(chat, ["你好", "我要给孙子交学费"])
        _set_latency(replicated, 2000)
        answer: list[httpx.Response] = []
        try:
            turn = threading.Thread(target=lambda: answer.append(chat.post(DEMO_STUDENT_ID)))
            turn.start()
            time.sleep(1.0)
            replicated.signal(gateway.name, signal.SIGTERM)
            time.sleep(0.2)
            # Draining: still answering, but no longer ready.
            readyz = client.get("/readyz")
            assert readyz.status_code == 503
            assert readyz.json()["status"] == "stopping"
            turn.join(timeout=30)
        finally:
            _set_latency(replicated, 0)
    assert answer and answer[0].status_code == 200, answer
    assert "2550.00" in "".join(m["text"] for m in answer[0].json()["messages"])
    replicated.system.group.processes[gateway.name].wait(timeout=20)
    # The public port goes on through the other gateway.
    with httpx.Client(base_url=replicated.system.gateway, timeout=30) as client:
        _converse(Chat(client), ["你好"])


def test_stopped_rasa_answers_its_slow_turn_then_gateways_are_not_ready(
    replicated: Replicated,
) -> None:
    running = [
        spec
        for spec in replicated.specs("rasa")
        if replicated.system.group.processes[spec.name].poll() is None
    ]
    assert running
    with httpx.Client(base_url=replicated.system.gateway, timeout=30) as client:
        chat = Chat(client)
        _converse(chat, ["你好", "我要给孙子交学费"])
        _set_latency(replicated, 2000)
        answer: list[httpx.Response] = []
        try:
            turn = threading.Thread(target=lambda: answer.append(chat.post(DEMO_STUDENT_ID)))
            turn.start()
            time.sleep(1.0)
            for spec in running:
                replicated.signal(spec.name, signal.SIGTERM)
            turn.join(timeout=30)
        finally:
            _set_latency(replicated, 0)
        assert answer and answer[0].status_code == 200, answer
        assert "2550.00" in "".join(m["text"] for m in answer[0].json()["messages"])
        for spec in running:
            replicated.system.group.processes[spec.name].wait(timeout=30)
        # Ready still (Rasa is every gateway's, not this one's fault), and says what is wrong;
        # a turn now gets the plain bot_unavailable answer, not a refused connection.
        readyz = client.get("/readyz")
        assert readyz.status_code == 200
        assert readyz.json()["status"] == "degraded"
        assert readyz.json()["checks"]["rasa"] == "unreachable"
        assert client.get("/healthz").status_code == 503
        refused = client.post("/api/chat", json={"text": "你好"})
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "bot_unavailable"
