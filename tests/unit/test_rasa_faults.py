"""How a refused turn is named on both sides: Rasa's fault codes (``banshi.rasa_faults``), the
gateway's reading of them (``conversation.rasa_client``) and what the citizen gets
(``conversation.outage``). The faults themselves are played in ``tests/scale/test_faults.py``."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from banshi import rasa_faults
from banshi.rasa_faults import ActionServerUnavailable, fault_code
from conversation import outage
from conversation.rasa_client import (
    ANSWER_WITHIN_HEADER,
    START_WITHIN_HEADER,
    RasaClient,
    RasaUnavailable,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (
            ActionServerUnavailable("validate_service_form", "pay_education_fee"),
            "actions_unavailable",
        ),
        (redis.exceptions.ConnectionError("refused"), "lock_store_unavailable"),
        (LockError("expired"), "lock_store_unavailable"),
        (OperationalError("SELECT 1", {}, Exception("server closed")), "tracker_store_unavailable"),
        (KeyError("slot"), "bot_failed"),
    ],
)
def test_every_failure_has_its_code(error: Exception, code: str) -> None:
    assert fault_code(error) == code


async def test_a_tracker_store_that_cannot_be_read_fails_the_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa's own fall-back answers "no tracker" when reading fails: the turn would run on a
    fresh tracker and its events would not be saved."""
    database = tmp_path / "rasa.db"
    store = FailSafeTrackerStore(
        SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(database))
    )
    tracker = DialogueStateTracker("c1", [])
    tracker.update(UserUttered("谢谢"))
    await store.save(tracker)
    assert [e.text for e in (await store.retrieve("c1")).events if isinstance(e, UserUttered)] == [
        "谢谢"
    ]
    with sqlite3.connect(database) as connection:
        connection.execute("ALTER TABLE events RENAME TO events_away")
    assert await store.retrieve("c1") is None  # Rasa's behaviour, before the change
    for hook in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
        monkeypatch.setattr(FailSafeTrackerStore, hook, getattr(FailSafeTrackerStore, hook))
    rasa_faults._patch_tracker_store_fallback()
    with pytest.raises(OperationalError):
        await store.retrieve("c1")
    with pytest.raises(OperationalError):
        await store.save(tracker)


def _rasa_answering(status: int, body: object) -> RasaClient:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    return RasaClient("http://rasa", "token", transport=httpx.MockTransport(answer))


async def test_the_gateway_reads_the_code_and_the_intent_of_a_refused_turn() -> None:
    body = {"error": {"code": "actions_unavailable", "intent": "request_human"}}
    client = _rasa_answering(503, body)
    with pytest.raises(RasaUnavailable) as refused:
        await client.send("c1", "转人工", {})
    await client.aclose()
    assert (refused.value.code, refused.value.intent) == ("actions_unavailable", "request_human")


@pytest.mark.parametrize("body", [["not", "an", "error"], {"error": "x"}, {"error": {"code": 5}}])
async def test_a_refusal_without_a_code_is_a_rasa_error(body: object) -> None:
    client = _rasa_answering(500, body)
    with pytest.raises(RasaUnavailable) as refused:
        await client.send("c1", "你好", {})
    await client.aclose()
    assert (refused.value.code, refused.value.intent) == ("rasa_error", None)


async def test_a_turn_that_cannot_be_sent_in_time_is_refused_and_its_wait_is_counted() -> None:
    release = asyncio.Event()
    allowed: list[float] = []
    answer_within: list[float] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        allowed.append(float(request.headers[START_WITHIN_HEADER]))
        answer_within.append(float(request.headers[ANSWER_WITHIN_HEADER]))
        if len(allowed) == 1:
            await release.wait()
        return httpx.Response(200, json=[{"text": "好的"}])

    client = RasaClient(
        "http://rasa",
        "token",
        start_within_s=0.5,
        turns_in_flight=1,
        transport=httpx.MockTransport(answer),
    )
    first = asyncio.create_task(client.send("c1", "你好", {}))
    await asyncio.sleep(0.05)
    with pytest.raises(RasaUnavailable) as refused:
        await client.send("c2", "你好", {})  # the one turn in flight holds past 0.5 s
    assert refused.value.code == "bot_busy"
    assert len(allowed) == 1  # never sent to Rasa
    third = asyncio.create_task(client.send("c3", "你好", {}))
    await asyncio.sleep(0.2)
    release.set()
    assert await first == [{"text": "好的"}]
    assert await third == [{"text": "好的"}]
    await client.aclose()
    assert allowed[0] == 0.5
    assert 0.0 < allowed[1] < 0.35  # what it waited for its turn is not given again in Rasa
    assert answer_within[0] == 9.0  # the gateway's 10 s, less 1 s for the answer to come back
    assert 8.5 < answer_within[1] < 8.85


async def test_rasa_unreachable_has_its_code() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = RasaClient("http://rasa", "token", transport=httpx.MockTransport(refuse))
    with pytest.raises(RasaUnavailable) as refused:
        await client.send("c1", "你好", {})
    await client.aclose()
    assert refused.value.code == "rasa_unreachable"


@pytest.mark.parametrize(
    ("text", "intent", "asks"),
    [
        ("转人工", None, True),
        (" 找人工。", None, True),
        ("/request_human", None, True),
        ("我想找个人帮我", "request_human", True),
        ("我要交学费", "pay_education_fee", False),
        ("人工智能是什么", None, False),
        ("7320291068", None, False),
    ],
)
def test_a_request_for_a_person_is_recognised_while_the_bot_is_down(
    text: str, intent: str | None, asks: bool
) -> None:
    assert outage.asks_for_person(text, intent) is asks


def test_the_outage_answer_offers_a_person_in_speech_and_on_screen() -> None:
    payload = outage.actions_down_payload()
    assert payload["buttons"] == [{"title": "转人工", "payload": "/request_human"}]
    assert payload["code"] == "actions_unavailable"
    assert payload["speech"].startswith("抱歉，办事系统暂时出了故障")
    assert "转人工" in payload["speech"]
