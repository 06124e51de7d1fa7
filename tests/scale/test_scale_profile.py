"""The scale profile: the same slice with PostgreSQL (tracker store, gateway, sandbox), Redis
(Rasa's lock store, the console feed across gateways) and RabbitMQ (Rasa's event broker), all
really used.

Skipped with the reason when a service is unreachable, except under CI=true, where it fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from banshi.runner import ProcessGroup, process_specs
from banshi.training import ensure_model
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chat import Chat
from tests.conftest import RunningSystem, free_port
from tests.handoff.kit import Console, add_staff, citizen_says, conversation, handoff, new_district
from tests.handoff.test_concurrency_and_transcript import Feed
from tests.scale import services
from tests.scale.services import REDIS, queue_depth, require_services, rows

pytestmark = pytest.mark.scale


@pytest.fixture(scope="module")
def scale_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    require_services()
    with services.scale_system(Path(tmp_path_factory.mktemp("scale"))) as running:
        yield running


def test_slice_runs_on_postgres_redis_and_rabbitmq(scale_system: RunningSystem) -> None:
    settings = scale_system.settings
    redis_client = redis.Redis.from_url(REDIS)
    commands_before = int(redis_client.info("stats")["total_commands_processed"])
    with httpx.Client(base_url=scale_system.gateway, timeout=30) as client:
        chat = Chat(client)
        for text in ("你好", "我要给孙子交学费", DEMO_STUDENT_ID):
            response = chat.post(text)
            assert response.status_code == 200, response.text
        said = "".join(m["text"] for m in response.json()["messages"])
        assert "2550.00" in said
    conversation = chat.id

    # Rasa's tracker events and the gateway's transcript are in PostgreSQL.
    rasa_db = settings.postgres_url_for(f"{settings.postgres_database}_rasa")
    events = rows(rasa_db, "SELECT count(*) FROM events WHERE sender_id = %s", conversation)
    assert events[0][0] >= 10
    gateway_db = settings.postgres_url_for(settings.postgres_database)
    stored = rows(
        gateway_db,
        "SELECT party FROM messages WHERE conversation_id = %s ORDER BY id",
        conversation,
    )
    parties = [row[0] for row in stored]
    assert parties[0] == "citizen" and parties.count("citizen") == 3 and "bot" in parties

    # Rasa published its events to RabbitMQ and took its locks in Redis.
    assert asyncio.run(queue_depth(settings.rabbitmq_queue, delete=False)) >= 10
    commands_after = int(redis_client.info("stats")["total_commands_processed"])
    assert commands_after - commands_before >= 3


def test_consoles_on_one_gateway_see_what_happens_through_another(
    scale_system: RunningSystem, tmp_path: Path
) -> None:
    """A second gateway process on the same PostgreSQL and Redis: a handoff asked for through
    it, and the citizen's words after the claim, reach a console connected to the first."""
    settings = scale_system.settings.copy(update={"gateway_port": free_port()})
    specs = process_specs(settings, ensure_model(settings.models_dir))
    gateway_spec = next(spec for spec in specs if spec.name == "gateway")
    with ProcessGroup(settings, [gateway_spec], log_dir=tmp_path, echo=False) as group:
        other = RunningSystem(settings, group)
        district = new_district()
        (account,) = add_staff(scale_system, ("staff", district))
        with Console(scale_system.gateway, account) as console:
            feed = Feed(scale_system.gateway, console.token)
            try:
                assert feed.wait_for("ready", 10)
                conversation_id = conversation(other)
                handoff_id = handoff(other, conversation_id, district=district)["handoff_id"]
                assert feed.wait_for("handoff.created", 5)
                created = [d for _, kind, d in feed.events if kind == "handoff.created"]
                assert [d["id"] for d in created] == [handoff_id]  # once, not echoed
                console.get(f"/api/conversations/{conversation_id}/transcript")
                assert console.post(f"/api/handoffs/{handoff_id}/claim").status_code == 200
                citizen_says(other, conversation_id, "我在这里")
                assert feed.wait_for("message", 5)
            finally:
                feed.stopping.set()
                handoff(other, conversation(other))  # no district: wakes the feed to stop
                feed.close()
        texts = [d.get("text") for _, kind, d in feed.events if kind == "message"]
        assert "我在这里" in texts
